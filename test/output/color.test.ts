import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/output/color.js';
import { renderTsv } from '../../src/output/table.js';

describe('colorLevel', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it('colours a terminal and not a pipe', () => {
    expect(colorLevel(tty, { TERM: 'xterm' }, undefined)).toBe(1);
    expect(colorLevel(tty, { TERM: 'xterm-256color' }, undefined)).toBe(2);
    expect(colorLevel(tty, { COLORTERM: 'truecolor' }, undefined)).toBe(3);
    expect(colorLevel(pipe, {}, undefined)).toBe(0);
    expect(colorLevel(tty, { TERM: 'dumb' }, undefined)).toBe(0);
  });
  it('--no-color and NO_COLOR win over a terminal; FORCE_COLOR wins over a pipe', () => {
    expect(colorLevel(tty, {}, false)).toBe(0);
    expect(colorLevel(tty, { NO_COLOR: '1' }, undefined)).toBe(0);
    expect(colorLevel(tty, { NO_COLOR: '' }, undefined)).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: '1' }, undefined)).toBe(1);
    expect(colorLevel(pipe, { FORCE_COLOR: '3' }, undefined)).toBe(3);
    expect(colorLevel(tty, { FORCE_COLOR: '0' }, undefined)).toBe(0);
    expect(colorLevel(pipe, { FORCE_COLOR: '1' }, false)).toBe(0);
  });
});

describe('renderTsv', () => {
  it('writes one line per row, yes/no for booleans, and never lets a cell break the format', () => {
    expect(
      renderTsv([
        ['a', 1, true],
        ['b\tc', null, false],
        ['line\nbreak', undefined, 0],
      ]),
      // A tab or a line break in a cell is shown as a visible escape (output/inert.ts): the format holds.
    ).toBe('a\t1\tyes\nb\\x09c\t\tno\nline\\x0abreak\t\t0\n');
    expect(renderTsv([])).toBe('');
  });
});

describe('layoutColumns', () => {
  const measure = (t: string) => t.length;
  it('cuts free text widest first and leaves IDs whole; the natural widths when they fit', async () => {
    const { layoutColumns } = await import('../../src/output/table.js');
    const columns = [{}, { wrap: true }, { wrap: true }];
    const cells = [
      ['ID', 'Name', 'Notes'],
      ['3f1c2a9e-0b7d-4c1e-9a55-1d2e3f4a5b61', 'Short', 'x'.repeat(80)],
    ];
    expect(layoutColumns(columns, cells, 200, measure)).toEqual({ shown: [0, 1, 2], widths: [38, 7, 82] });
    const { shown, widths } = layoutColumns(columns, cells, 80, measure);
    expect(shown).toEqual([0, 1, 2]);
    expect(widths[0]).toBe(38);
    expect(widths[1]).toBe(7);
    expect(widths.reduce((a, b) => a + b, 0) + 4).toBe(80);
  });

  it('leaves out ranked columns, least needed first, before cutting free text below a readable width', async () => {
    const { layoutColumns } = await import('../../src/output/table.js');
    const columns = [{}, { wrap: true }, { rank: 2 }, { rank: 1 }];
    const cells = [
      ['Ref', 'Company', 'Score', 'Emails'],
      ['R-1', 'N'.repeat(60), '97', '3'],
    ];
    const narrow = layoutColumns(columns, cells, 45, measure);
    expect(narrow.shown).toEqual([0, 1]);
    expect(narrow.widths[0]! + narrow.widths[1]! + 3).toBe(45);
    expect(layoutColumns(columns, cells, 50, measure).shown).toEqual([0, 1, 2]);
    // With the columns chosen (--fields), none is left out: text is cut instead.
    const chosen = layoutColumns(columns, cells, 50, measure, false);
    expect(chosen.shown).toEqual([0, 1, 2, 3]);
    expect(chosen.shown.reduce((a, i) => a + chosen.widths[i]!, 0) + 5).toBe(50);
  });

  it('cut: ends text too long for its width with …, counting wide characters as two', async () => {
    const { cut } = await import('../../src/output/table.js');
    const { default: stringWidth } = await import('string-width');
    expect(cut('Northwind Logistics', 10, stringWidth)).toBe('Northwind…');
    expect(cut('short', 10, stringWidth)).toBe('short');
    expect(cut('日本語のテキスト', 7, stringWidth)).toBe('日本語…');
    expect(stringWidth(cut('日本語のテキスト', 7, stringWidth))).toBeLessThanOrEqual(7);
  });
});
