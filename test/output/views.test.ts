/**
 * The view kinds and tones, through the one renderer and the sink: meaning in, colour (or none)
 * out. Verbs only say what a thing is; these check that the renderer alone decides how it looks.
 */
import { describe, expect, it } from 'vitest';
import { document, lines, marked, styled, table, warn, type Outcome, type View } from '../../src/outcome.js';
import { loadColors, plainColors, type Colors } from '../../src/output/color.js';
import { Output } from '../../src/output/output.js';
import { render } from '../../src/output/render.js';
import { createSink } from '../../src/output/sink.js';

function stream(isTTY: boolean, columns?: number) {
  let text = '';
  return { isTTY, columns, write: (chunk: string) => (text += chunk), text: () => text };
}

async function shown(
  outcome: Outcome,
  options: { tty?: boolean; columns?: number; json?: boolean; maskPii?: boolean; streamed?: boolean } = {},
) {
  const tty = options.tty ?? true;
  const colors: Colors = tty ? await loadColors(1) : plainColors;
  const stdout = stream(tty, options.columns);
  const stderr = stream(tty);
  const out = new Output(stdout, stderr, colors, colors, Boolean(options.json), {
    verbose: false,
    maskPii: Boolean(options.maskPii),
  });
  await render(outcome, out, { streamed: options.streamed });
  return { stdout: stdout.text(), stderr: stderr.text() };
}

const ESC = '\x1b[';
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('a document', () => {
  const view: View = document(
    [styled('strong', 'ceo@acme.co'), ' appears in 1 breach:'],
    [
      {
        heading: 'Adobe',
        status: [styled('dim', '2013-10-04'), styled('caution', 'unresolved')],
        pairs: [{ label: 'Exposed', value: 'Email addresses, Passwords' }],
        paragraphs: [words(60)],
        lists: [{ label: 'Next steps', items: ['Change the password', words(40)] }],
      },
    ],
  );

  it('is laid out under its title and wrapped to the terminal, at most 100 columns', async () => {
    const narrow = (await shown({ data: null, view }, { tty: false, columns: 50 })).stdout.split('\n');
    expect(narrow.slice(0, 4)).toEqual([
      'ceo@acme.co appears in 1 breach:',
      '',
      'Adobe  2013-10-04  unresolved',
      '  Exposed: Email addresses, Passwords',
    ]);
    expect(narrow).toContain('  Next steps:');
    expect(narrow).toContain('    • Change the password');
    expect(Math.max(...narrow.map((l) => l.length))).toBeLessThanOrEqual(50);
    const wide = (await shown({ data: null, view }, { tty: false, columns: 300 })).stdout.split('\n');
    const longest = Math.max(...wide.map((l) => l.length));
    // Wider than the 80 of an unknown terminal, never wider than 100.
    expect(longest).toBeGreaterThan(80);
    expect(longest).toBeLessThanOrEqual(100);
  });

  it('is drawn in its tones on a terminal with colour, and plain without', async () => {
    const coloured = (await shown({ data: null, view })).stdout;
    expect(coloured).toContain(`${ESC}1mceo@acme.co${ESC}22m appears`);
    expect(coloured).toContain(`${ESC}1mAdobe${ESC}22m  ${ESC}2m2013-10-04${ESC}22m  ${ESC}33munresolved${ESC}39m`);
    expect((await shown({ data: null, view }, { tty: false })).stdout).not.toContain(ESC);
  });

  it('is masked before it is drawn, so a masked address keeps its colour codes whole', async () => {
    const out = (await shown({ data: null, view }, { maskPii: true })).stdout;
    expect(out).toContain(`${ESC}1mc***@acme.co${ESC}22m appears`);
  });
});

describe('tones', () => {
  it('colour lines, table cells and notes on a terminal; a pipe, TSV and CSV get the text alone', async () => {
    const outcome: Outcome = {
      data: null,
      view: lines(['Score: ', styled('severe', '97/97 (critical)')]),
      notes: [warn([styled('bad', 'error:'), ' it broke'])],
    };
    const tty = await shown(outcome);
    expect(tty.stdout).toBe(`Score: ${ESC}1m${ESC}31m97/97 (critical)${ESC}39m${ESC}22m\n`);
    expect(tty.stderr).toContain(`${ESC}31merror:${ESC}39m it broke`);
    expect(await shown(outcome, { tty: false })).toEqual({
      stdout: 'Score: 97/97 (critical)\n',
      stderr: 'warning: error: it broke\n',
    });

    const bands = table(
      [
        { key: 'reference', header: 'Reference' },
        { key: 'band', header: 'Band' },
      ],
      [['ACME-1', styled('good', 'low')]],
    );
    expect((await shown({ data: null, view: bands })).stdout).toContain(`${ESC}32mlow${ESC}39m`);
    expect((await shown({ data: null, view: bands }, { tty: false })).stdout).toBe('ACME-1\tlow\n');
  });
});

describe('marked result lines', () => {
  it('without a heading are the result lines themselves, not indented', async () => {
    const view = marked(undefined, [
      { mark: 'ok', text: 'customer A: created' },
      { mark: 'skip', text: 'customer B: not done' },
      { mark: 'failed', text: 'customer C: failed: no' },
    ]);
    expect((await shown({ data: null, view }, { tty: false })).stdout).toBe(
      '✓ customer A: created\n· customer B: not done\n✗ customer C: failed: no\n',
    );
    const headed = marked('Updated ACME:', [{ mark: '+', text: 'domain a.co' }]);
    expect((await shown({ data: null, view: headed }, { tty: false })).stdout).toBe(
      '✓ Updated ACME:\n  + domain a.co\n',
    );
  });
});

describe('a streamed run (--ndjson)', () => {
  const outcome: Outcome = { data: [{ email: 'a@b.co' }], view: lines('a table'), notes: [warn('said')] };

  it('gets each item as a JSON line from the sink, and no list at the end in any form', async () => {
    for (const ndjson of [true, false]) {
      const stdout = stream(false);
      const sink = createSink(new Output(stdout, stream(false), plainColors, plainColors, false), ndjson);
      sink.item({ email: 'a@b.co', breached: true });
      expect(stdout.text()).toBe(ndjson ? '{"email":"a@b.co","breached":true}\n' : '');
    }
    expect(await shown(outcome, { tty: false, streamed: true })).toEqual({ stdout: '', stderr: 'warning: said\n' });
    expect(await shown(outcome, { tty: false, json: true, streamed: true })).toEqual({
      stdout: '',
      stderr: 'warning: said\n',
    });
    // Not streamed: the list is the result.
    expect((await shown(outcome, { tty: false })).stdout).toBe('a table\n');
  });

  it('writes the events of a batch as one write, in order, for people and as JSON', () => {
    for (const json of [false, true]) {
      const writes: string[] = [];
      const stdout = { isTTY: false, write: (chunk: string) => writes.push(chunk) };
      const sink = createSink(new Output(stdout, stream(false), plainColors, plainColors, json), false);
      sink.batch(() => {
        sink.event({ n: 1 }, 'one');
        sink.batch(() => sink.event({ n: 2 }, 'two'));
        expect(writes).toEqual([]);
      });
      sink.event({ n: 3 }, 'three');
      expect(writes).toEqual(json ? ['{"n":1}\n{"n":2}\n', '{"n":3}\n'] : ['one\ntwo\n', 'three\n']);
    }
  });
});
