/**
 * `portfolio status` on a terminal fits it: one line per customer at any width, long company
 * names cut short with …, columns left out (and said) on a narrow one; --json keeps every name whole.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';

const fx = useSandbox();
const COUNT = 52;
const name = (i: number) => `Northwind Regional Logistics and Freight Holdings Group ${i} — 東京 Département Sécurité`;

beforeAll(async () => {
  const csv = path.join(tempDir().dir, 'long.csv');
  const rows = Array.from(
    { length: COUNT },
    (_, n) => `${name(n + 1)},LONG-${n + 1},long${n + 1}.example,ops@x.co,10,USD,now+1d`,
  );
  writeFileSync(
    csv,
    `companyName,customerReference,assetsDomains,alertRecipients,price,currencyCode,billedFromDate\n${rows.join('\n')}\n`,
  );
  const r = await runInProcess(['customer', 'onboard', '--file', csv, '--json'], { env: fx().env });
  expect(r.code, r.stderr).toBe(0);
});

async function onTerminal(columns: number, args: string[] = []) {
  const r = await runInProcess(['portfolio', 'status', ...args], {
    env: { ...fx().env, NO_COLOR: '1' },
    tty: true,
    columns,
  });
  expect(r.code, r.stderr).toBe(0);
  return { ...r, lines: r.stdout.trimEnd().split('\n') };
}

describe('portfolio status on a terminal', () => {
  it.each([120, 80, 60])(
    'at %i columns: every line fits, one line per customer, long names cut with …',
    async (width) => {
      const { lines, stderr } = await onTerminal(width);
      for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
      // Top border, header, a line per customer, bottom border: no name wraps, no block per field.
      expect(lines).toHaveLength(COUNT + 3);
      for (let i = 1; i <= COUNT; i++) expect(lines.filter((l) => l.startsWith(`│ LONG-${i} `))).toHaveLength(1);
      const rows = lines.filter((l) => l.startsWith('│ LONG-'));
      for (const row of rows) expect(row).toMatch(/│ Northwind [^│]*…\s*│/);
      if (width === 120) {
        expect(lines[1]).toMatch(
          /│ Reference\s+│ Company\s+│ Score │ Band\s+│ Unresolved │ Resolved │ Domains │ Emails │/,
        );
        expect(stderr).not.toContain('Left out');
      } else {
        // A narrow terminal: fewer columns, the reference, name, band and unresolved count kept, and a word on the rest.
        expect(lines[1]).toMatch(/│ Reference\s+│ Company\s+│ (Score │ )?Band\s+│ Unresolved │$/);
        expect(stderr).toMatch(
          /Left out to fit \d+ columns: (Score, )?Resolved, Domains, Emails\. --json shows every field/,
        );
      }
    },
  );

  it('--fields: the chosen columns are all shown, cut to fit', async () => {
    const { lines, stderr } = await onTerminal(60, ['--fields', 'reference,companyName,monitoredEmails']);
    expect(lines).toHaveLength(COUNT + 3);
    expect(lines[1]).toMatch(/│ Reference\s+│ Company\s+│ Emails │/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(stderr).not.toContain('Left out');
  });

  it('--json and a pipe carry every name whole', async () => {
    const json = await runInProcess(['portfolio', 'status', '--json'], { env: fx().env, columns: 80 });
    const names = (JSON.parse(json.stdout) as { customers: Array<{ companyName: string }> }).customers.map(
      (c) => c.companyName,
    );
    for (let i = 1; i <= COUNT; i++) expect(names).toContain(name(i));
    const piped = await runInProcess(['portfolio', 'status'], { env: fx().env, columns: 80 });
    for (let i = 1; i <= COUNT; i++) expect(piped.stdout).toContain(`\t${name(i)}\t`);
    expect(piped.stdout).not.toContain('…');
  });
});
