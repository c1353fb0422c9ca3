/** The one renderer: --csv and --fields for every table-shaped output, through the real binary. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runBinary } from '../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../helpers/sandbox.js';

let fx: SandboxFixture;
beforeAll(async () => {
  fx = await sandboxFixture();
});
afterAll(() => fx.close());

it('--csv prints a header of field names and RFC 4180 rows; --fields chooses and orders columns', async () => {
  const all = await runBinary(['partner', 'plans', '--csv'], { env: fx.env });
  expect(all.code).toBe(0);
  const [header, ...rows] = all.stdout.trimEnd().split('\r\n');
  expect(header!.split(',')).toContain('id');
  expect(rows.length).toBeGreaterThan(0);
  const chosen = await runBinary(['partner', 'plans', '--csv', '--fields', 'status,id'], { env: fx.env });
  const lines = chosen.stdout.trimEnd().split('\r\n');
  expect(lines[0]).toBe('status,id');
  expect(lines.slice(1).every((l) => /^\w+,/.test(l))).toBe(true);
  // Piped lines follow --fields too.
  const piped = await runBinary(['partner', 'plans', '--fields', 'id'], { env: fx.env });
  expect(
    piped.stdout
      .trim()
      .split('\n')
      .every((l) => !l.includes('\t')),
  ).toBe(true);
});

it('a value with a comma, a quote or a line break is quoted as RFC 4180 says', async () => {
  const r = await runBinary(
    ['breach', 'check', 'admin@acme.co', 'error-400@acme.co', '--csv', '--fields', 'email,breached'],
    { env: fx.env },
  );
  expect(r.stdout.split('\r\n')[0]).toBe('email,breached');
  const quoted = await runBinary(['api', 'GET', '/api/v1/integrations/partner/analytics', '--csv'], { env: fx.env });
  expect(quoted.code).toBe(0);
  expect(quoted.stdout.startsWith('line\r\n"{')).toBe(true);
});

it('an unknown --fields name is exit 2 naming the fields there are', async () => {
  const r = await runBinary(['partner', 'plans', '--fields', 'nope'], { env: fx.env });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--fields: no field named "nope" here — Fields: id, /);
});

it('each table-shaped command documents its output fields in --help: the names --fields and --csv use', async () => {
  for (const argv of [
    ['partner', 'plans'],
    ['webhook', 'list'],
    ['profile', 'list'],
    ['breach', 'categories'],
  ]) {
    const help = await runBinary([...argv, '--help']);
    const section = /\nOutput fields \(for --fields and --csv\):\n((?: {2}\S.*\n)+)/.exec(help.stdout);
    expect(section, argv.join(' ')).not.toBeNull();
    const documented = section![1]!
      .trimEnd()
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0]!)
      .filter((k) => !k.startsWith('('));
    const csv = await runBinary([...argv, '--csv'], { env: fx.env });
    expect(csv.stdout.split('\r\n')[0]!.split(','), argv.join(' ')).toEqual(documented);
  }
});
