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

describe('fitWidths', () => {
  it('narrows only wrappable columns, widest first, and leaves IDs whole', async () => {
    const { fitWidths } = await import('../../src/output/table.js');
    const cells = [
      ['ID', 'Name', 'Notes'],
      ['3f1c2a9e-0b7d-4c1e-9a55-1d2e3f4a5b61', 'Short', 'x'.repeat(80)],
    ];
    expect(fitWidths(cells, 200, [false, true, true])).toBeUndefined();
    const widths = fitWidths(cells, 80, [false, true, true])!;
    expect(widths[0]).toBe(38);
    expect(widths[1]).toBe(7);
    expect(widths.reduce((a, b) => a + b, 0) + 4).toBeLessThanOrEqual(80);
    expect(fitWidths(cells, 80, [false, false, false])).toBeUndefined();
  });
});
