/**
 * Text for people is inert (issue 26 item 7): names and messages from the record or the API reach
 * tables, piped lines and error messages with their control characters shown as visible escapes,
 * never obeyed; --json escapes them as JSON does; the record keeps them exact.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordPath } from '../../src/customers/local-record.js';
import { accountKey } from '../../src/io/account-files.js';
import { inertCell, inertText } from '../../src/output/inert.js';
import { runInProcess } from '../helpers/cli.js';
import { useSandbox } from '../helpers/sandbox.js';

const fx = useSandbox();
/** A window title, a screen clear, a hyperlink, concealed text, a forged line and a right-to-left override. */
const HOSTILE =
  'Evil\u001b]0;owned\u0007 \u001b[2J\u001b]8;;http://x\u0007link\u001b]8;;\u0007\u001b[8mhidden\u001b[0m\r\nerror: forged\u202etxt.exe';
// Any escape sequence at all, or a bare carriage return, or the override.
// eslint-disable-next-line no-control-regex
const RAW = /\u001b|\u0007|\r|\u202e/;

let file: string;
beforeAll(() => {
  const { configDir, sandbox } = fx();
  file = recordPath(configDir, accountKey(sandbox.partnerId, sandbox.url));
  mkdirSync(path.dirname(file), { recursive: true });
  const at = '2026-12-01T00:00:00.000Z';
  // A record an older version (or a hand) wrote: the name holds what onboarding now refuses.
  appendFileSync(
    file,
    `${JSON.stringify({ op: 'onboarded', reference: 'EVIL-1', id: '7f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f', companyName: HOSTILE, at })}\n`,
  );
});

describe('text for people', () => {
  it('turns every control character into a visible escape; a cell shows line breaks too', () => {
    expect(inertText('a\u001b[31mb\nc')).toBe('a\\x1b[31mb\nc');
    expect(inertCell('a\tb\r\nc\u202e')).toBe('a\\x09b\\x0d\\x0ac\\u202e');
    expect(inertText('Café ✓ plain')).toBe('Café ✓ plain');
  });

  it.each([
    ['a table on a terminal', true],
    ['tab-separated lines in a pipe', false],
  ])('customer list: %s shows the name, inert', async (_, tty) => {
    // A terminal wide enough for the whole name (a narrower one cuts it short with …).
    const r = await runInProcess(['customer', 'list'], { env: { ...fx().env, NO_COLOR: '1' }, tty, columns: 240 });
    expect(r.code, r.stderr).toBe(0);
    // The escapes are there as text, and no raw one.
    expect(r.stdout).toContain('Evil\\x1b');
    expect(r.stdout).toContain('\\x07');
    expect(r.stdout).toContain('forged');
    expect(r.stdout).not.toMatch(RAW);
  });

  it('an error message quoting what was typed shows it inert', async () => {
    const r = await runInProcess(['customer', 'offboard', `NOPE\u001b]0;owned\u0007`, '--yes'], { env: fx().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NOPE\\x1b]0;owned\\x07');
    expect(r.stderr).not.toMatch(RAW);
  });

  it('--json escapes it as JSON does, and the record keeps it exact', async () => {
    const r = await runInProcess(['customer', 'list', '--json'], { env: fx().env });
    // JSON escapes the C0 controls (\u001b, \u0007, \r); the text stays the data, exact.
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/\u001b|\u0007|\r/);
    expect((JSON.parse(r.stdout) as Array<{ companyName: string }>)[0]!.companyName).toBe(HOSTILE);
    expect(readFileSync(file, 'utf8')).toContain(JSON.stringify(HOSTILE).slice(1, -1));
  });
});
