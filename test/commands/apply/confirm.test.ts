/**
 * apply's confirmations: on a terminal it asks; "no" sends nothing; --prune on a production
 * account also asks for the number of customers to offboard, typed.
 */
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createWire, type Wire } from '../../../src/api/transport.js';
import { run } from '../../../src/main.js';
import { stripAnsi } from '../../helpers/cli.js';
import { scriptedPrompter } from '../../helpers/prompter.js';
import { bookWorld, bookYaml, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
afterEach(() => w?.close());

describe('on a terminal', () => {
  it('asks before applying; "no" is exit 130 with nothing sent', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1));
    const no = scriptedPrompter([false]);
    const r = await w.cli(['apply', '--file', file], { tty: true, prompter: no });
    expect(r.code).toBe(130);
    expect(no.asked).toEqual(['Apply this change?']);
    expect(stripAnsi(r.stderr)).toContain('+ customer BOOK-1'); // the plan was shown first
    expect(w.writes()).toEqual([]);
    const yes = scriptedPrompter([true]);
    const ok = await w.cli(['apply', '--file', file], { tty: true, prompter: yes });
    expect(ok.code, ok.stderr).toBe(0);
    expect(w.customer('BOOK-1')).toBeDefined();
  });

  it('does not ask with --yes', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1));
    const none = scriptedPrompter([]);
    const r = await w.cli(['apply', '--file', file, '--yes'], { tty: true, prompter: none });
    expect(r.code, r.stderr).toBe(0);
    expect(none.asked).toEqual([]);
  });
});

describe('--prune on a production account', () => {
  /** The production base URL, every request carried to the sandbox instead. */
  function production(argv: string[], answers: Array<string | boolean>) {
    const wire = createWire({ env: {} });
    const toSandbox: Wire = (request) =>
      wire({ ...request, url: new URL(`${request.url.pathname}${request.url.search}`, w.sandbox.url) });
    const stream = () => Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    const stdout = stream();
    const stderr = stream();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    stdout.resume();
    const stdin = Object.assign(Readable.from([]), { isTTY: true });
    const prompter = scriptedPrompter(answers);
    const code = run(argv, {
      stdin,
      stdout,
      stderr,
      env: { ...w.env, SAFEWEB_BASE_URL: 'https://connect.safeweb.co' },
      nodeVersion: process.version,
      wire: toSandbox,
      prompter,
      waitForSignal: () => new Promise(() => {}),
    });
    return { code, prompter, stderr: () => err };
  }

  async function book() {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1));
    const one = production(['apply', '--file', file, '--yes'], []);
    expect(await one.code, one.stderr()).toBe(0);
    // Two more in the record, gone from the manifest.
    const three = production(['apply', '--file', w.write('three.yaml', bookYaml(3)), '--yes'], []);
    expect(await three.code, three.stderr()).toBe(0);
    return file;
  }

  it('asks for the number of customers to offboard, typed; a wrong number sends nothing', async () => {
    const file = await book();
    const before = w.writes().length;
    const wrong = production(['apply', '--file', file, '--prune'], [true, '3']);
    expect(await wrong.code).toBe(130);
    expect(wrong.prompter.asked).toEqual([
      'Apply these 2 changes?',
      'Type the number of customers to offboard (2) to confirm',
    ]);
    expect(wrong.stderr()).toContain('"3" is not 2; nothing was sent');
    expect(w.writes().length).toBe(before);

    // Even --yes asks it on a terminal: the count is the confirmation.
    const right = production(['apply', '--file', file, '--prune', '--yes'], ['2']);
    expect(await right.code, right.stderr()).toBe(0);
    expect(right.prompter.asked).toEqual(['Type the number of customers to offboard (2) to confirm']);
    expect(w.customers('BOOK-').map((c) => [c.customerReference, c.status])).toEqual([
      ['BOOK-1', 'active'],
      ['BOOK-2', 'offboarded'],
      ['BOOK-3', 'offboarded'],
    ]);
  });

  it('does not ask on a sandbox account', async () => {
    w = await bookWorld();
    const file = w.write('book.yaml', bookYaml(1));
    expect((await w.cli(['apply', '--file', w.write('two.yaml', bookYaml(2)), '--yes'])).code).toBe(0);
    const none = scriptedPrompter([]);
    const r = await w.cli(['apply', '--file', file, '--prune', '--yes'], { tty: true, prompter: none });
    expect(r.code, r.stderr).toBe(0);
    expect(none.asked).toEqual([]);
    expect(w.customer('BOOK-2')!.status).toBe('offboarded');
  });
});
