/**
 * A manifest manages exactly the fields it gives: a list of assets it leaves out is not
 * managed, so nothing stops being monitored by omission. A plan that does stop monitoring
 * addresses lists them first, counted, and apply asks for that count (or, with --yes, says it
 * on stderr and in the audit log) when it is more than five, on any account.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedPrompter } from '../../helpers/prompter.js';
import { bookWorld, DEFAULTS, type BookWorld } from '../../manifest/world.js';

let w: BookWorld;
afterEach(() => w?.close());

/** One customer with the given lists (a list left undefined is left out of the manifest). */
function manifest(domains: string[] | undefined, emails: string[] | undefined): string {
  return [
    ...DEFAULTS,
    'customers:',
    '  - customerReference: KEEP-1',
    '    companyName: Keep Ltd',
    '    price: 10',
    ...(domains ? [`    assetsDomains: [${domains.join(', ')}]`] : []),
    ...(emails ? [`    assetsEmails: [${emails.join(', ')}]`] : []),
  ].join('\n');
}

const SEVEN = Array.from({ length: 7 }, (_, i) => `staff${i + 1}@keep.example`);

async function created(emails: string[]): Promise<string> {
  const file = w.write('book.yaml', manifest(['keep.example'], emails));
  const r = await w.cli(['apply', '--file', file, '--yes']);
  expect(r.code, r.stderr).toBe(0);
  return file;
}

describe('a list the manifest leaves out', () => {
  it('is not managed: leaving out assetsEmails (or assetsDomains) keeps every monitored address', async () => {
    w = await bookWorld();
    await created(SEVEN);
    for (const [domains, emails] of [
      [['keep.example'], undefined],
      [undefined, SEVEN],
      [undefined, undefined],
    ] as const) {
      const file = w.write('less.yaml', manifest(domains ? [...domains] : undefined, emails ? [...emails] : undefined));
      const plan = await w.cli(['plan', '--file', file, '--json']);
      expect(plan.code, plan.stderr).toBe(0);
      expect(JSON.parse(plan.stdout)).toMatchObject({ changes: [], summary: { stopsMonitoring: 0 } });
      expect((await w.cli(['apply', '--file', file, '--yes'])).code).toBe(0);
    }
    expect(w.customer('KEEP-1')!.emails).toEqual(SEVEN);
    expect(w.customer('KEEP-1')!.domains).toEqual(['keep.example']);
  });

  it('given, is managed exactly: an empty list stops monitoring every address in it', async () => {
    w = await bookWorld();
    await created(SEVEN.slice(0, 2));
    const file = w.write('none.yaml', manifest(['keep.example'], []));
    const plan = JSON.parse((await w.cli(['plan', '--file', file, '--json'])).stdout) as {
      summary: { stopsMonitoring: number };
      stopsMonitoring: unknown[];
    };
    expect(plan.summary.stopsMonitoring).toBe(2);
    expect(plan.stopsMonitoring).toEqual([{ reference: 'KEEP-1', domains: [], emails: SEVEN.slice(0, 2) }]);
  });
});

describe('a plan that stops monitoring addresses', () => {
  it('lists them first, with their count', async () => {
    w = await bookWorld();
    await created(SEVEN);
    const file = w.write('fewer.yaml', manifest(['keep.example', 'new.example'], ['staff1@keep.example']));
    const r = await w.cli(['plan', '--file', file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Stops monitoring 6 addresses of 1 customer:');
    expect(lines.slice(1, 7)).toEqual(SEVEN.slice(1).map((e) => `  - customer KEEP-1: ${e}`));
    expect(r.stdout.indexOf('Changes (')).toBeGreaterThan(r.stdout.indexOf('Stops monitoring'));
  });

  it('more than 5: apply asks for the count typed on a terminal; a wrong count sends nothing', async () => {
    w = await bookWorld();
    await created(SEVEN);
    const file = w.write('fewer.yaml', manifest(['keep.example'], ['staff1@keep.example']));
    const before = w.writes().length;
    const wrong = scriptedPrompter([true, '5']);
    const refused = await w.cli(['apply', '--file', file], { tty: true, prompter: wrong });
    expect(refused.code).toBe(130);
    expect(wrong.asked).toEqual([
      'Apply this change?',
      'Type the number of addresses to stop monitoring (6) to confirm',
    ]);
    expect(w.writes().length).toBe(before);
    expect(w.customer('KEEP-1')!.emails).toEqual(SEVEN);

    const right = scriptedPrompter([true, '6']);
    const applied = await w.cli(['apply', '--file', file], { tty: true, prompter: right });
    expect(applied.code, applied.stderr).toBe(0);
    expect(w.customer('KEEP-1')!.emails).toEqual(['staff1@keep.example']);
  });

  it('more than 5 with --yes: the count is said on stderr and kept in the audit log', async () => {
    w = await bookWorld();
    await created(SEVEN);
    const file = w.write('fewer.yaml', manifest(['keep.example'], ['staff1@keep.example']));
    const r = await w.cli(['apply', '--file', file, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const said = 'this apply stops monitoring 6 addresses of 1 customer (confirmed by --yes)';
    expect(r.stderr).toContain(said);
    const folder = path.join(w.configDir, 'audit');
    const entries = readdirSync(folder)
      .flatMap((f) => readFileSync(path.join(folder, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { path: string; note?: string });
    const patch = entries.filter((e) => e.path.endsWith('/assets'));
    expect(patch).toHaveLength(1);
    expect(patch[0]!.note).toBe(said);
  });

  it('5 or fewer: no count is asked', async () => {
    w = await bookWorld();
    await created(SEVEN.slice(0, 6));
    const file = w.write('fewer.yaml', manifest(['keep.example'], ['staff1@keep.example']));
    const prompter = scriptedPrompter([true]);
    const r = await w.cli(['apply', '--file', file], { tty: true, prompter });
    expect(r.code, r.stderr).toBe(0);
    expect(prompter.asked).toEqual(['Apply this change?']);
  });
});
