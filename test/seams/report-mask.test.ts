/**
 * `portfolio report` masks personal data in the HTML only when --mask-pii is given on that
 * command: a profile that masks by default still gets an exact report (it is a file the partner
 * sends on), while what is displayed on that profile stays masked.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSeed } from '../portfolio/fixture.js';
import { bookWorld, type BookWorld } from '../manifest/world.js';
import { profileOf } from './world.js';

let w: BookWorld;
let masking: Awaited<ReturnType<typeof profileOf>>;
let plain: Awaited<ReturnType<typeof profileOf>>;
/** Every monitored address of the active seed customers (the report lists them). */
let emails: string[];

beforeAll(async () => {
  w = await bookWorld();
  const seed = await importSeed(w.sandbox, w.env);
  emails = seed.filter((c) => c.status === 'active').flatMap((c) => c.emails);
  expect(emails.length).toBeGreaterThan(2);
  masking = await profileOf(w, 'screens', ['--mask-pii']);
  plain = await profileOf(w, 'plain');
});
afterAll(() => w?.close());

const masked = (email: string) => `${email[0]}***@${email.split('@')[1]}`;

async function report(run: typeof plain, name: string, ...flags: string[]): Promise<string> {
  const file = path.join(w.dir, name);
  const r = await run([...flags, 'portfolio', 'report', '--output', file]);
  expect(r.code, r.stderr).toBe(0);
  // The text a reader sees: addresses and domains are marked up label by label (so they break
  // only after a dot or an @), which the tags between the labels would hide from a plain search.
  return readFileSync(file, 'utf8').replace(/<[^>]*>/g, '');
}

describe('portfolio report and --mask-pii', () => {
  it('is exact on a profile that masks by default (only the explicit flag masks the file)', async () => {
    const html = await report(masking, 'default.html');
    for (const e of emails) expect(html).toContain(e);
  });

  it('is exact without the flag, and with --no-mask-pii', async () => {
    const html = await report(plain, 'plain.html');
    for (const e of emails) expect(html).toContain(e);
    const shown = await report(masking, 'shown.html', '--no-mask-pii');
    for (const e of emails) expect(shown).toContain(e);
  });

  it('masks every address with --mask-pii, keeping domains, references and company names', async () => {
    for (const run of [plain, masking]) {
      const html = await report(run, `masked-${run === plain ? 'plain' : 'masking'}.html`, '--mask-pii');
      for (const e of emails) {
        expect(html).not.toContain(e);
        expect(html).toContain(masked(e));
      }
      for (const c of w.sandbox.state.customers.filter(
        (x) => x.partnerId === w.sandbox.partnerId && x.status === 'active',
      )) {
        expect(html).toContain(c.customerReference);
        expect(html).toContain(c.companyName);
        for (const d of c.domains) expect(html).toContain(d);
      }
    }
  });
});
