import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordOnboarded } from '../../../src/customers/local-record.js';
import { escapeHtml } from '../../../src/portfolio/html.js';
import { findBreach, localTitle } from '../../../src/sandbox/catalogue.js';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { useSandbox } from '../../helpers/sandbox.js';
import { findChromium, printedPages, screenshot } from '../../portfolio/chromium.js';
import { importSeed } from '../../portfolio/fixture.js';

const fx = useSandbox();
const dir = tempDir().dir;
const chromium = findChromium();
if (!chromium)
  console.warn(
    'portfolio report: headless Chromium is not installed, so the rendering checks are skipped ' +
      '(apt-get install chromium-headless-shell to run them).',
  );

async function report(file: string, ...args: string[]) {
  return runInProcess(['portfolio', 'report', '--output', file, ...args], { env: fx().env });
}

function activeSeed() {
  const { sandbox } = fx();
  return sandbox.state.customers.filter((c) => c.partnerId === sandbox.partnerId && c.status === 'active');
}

describe('portfolio report', () => {
  it('writes one self-contained HTML file: an overview and a page per customer, nothing to fetch', async () => {
    await importSeed(fx().sandbox, fx().env);
    const file = path.join(dir, 'book.html');
    const r = await report(file, '--title', 'Monday <book>');
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>Monday &lt;book&gt;</title>');
    // Nothing that runs or fetches: no scripts, links, fonts, images or URLs at all; a CSP to say so.
    for (const banned of [
      /<script/i,
      /<link/i,
      /<img/i,
      /<iframe/i,
      /@import/i,
      /@font-face/i,
      /url\(/i,
      /https?:\/\//i,
    ])
      expect(html).not.toMatch(banned);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3 + activeSeed().length);
    expect(html.match(/<section class="page"/g)).toHaveLength(1 + activeSeed().length);
    for (const c of activeSeed()) {
      expect(html).toContain(`id="c-${c.customerReference}"`);
      expect(html).toContain(c.companyName);
      for (const d of c.domains) expect(html).toContain(d);
      for (const b of fx().sandbox.state.breaches.filter((b) => b.customerId === c.id))
        expect(html).toContain(`<b>${escapeHtml(localTitle(findBreach(b.breachName)!, 'en-GB'))}</b>`);
    }
    const json = JSON.parse(
      (await runInProcess(['customer', 'breaches', 'NW-001', '--json'], { env: fx().env })).stdout,
    );
    for (const b of json) {
      expect(html).toContain(`<b>${b.title}</b>`);
      for (const step of b.resolved ? [] : b.nextSteps) expect(html).toContain(step);
    }
    expect(html).toContain('@page');
    expect(html).toMatch(/@media print \{[^}]*\}[\s\S]*break-before: page/);
  });

  it('never overwrites without --force, refusing before anything is sent', async () => {
    const file = path.join(dir, 'book.html');
    const before = readFileSync(file, 'utf8');
    // A closed port: a request would be exit 5; the refusal comes first.
    const env = { ...fx().env, SAFEWEB_BASE_URL: 'http://127.0.0.1:9' };
    const refused = await runInProcess(['portfolio', 'report', '--output', file], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists; the report is not overwritten');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe(before);
    const forced = await report(file, '--force', '--title', 'Replaced');
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('<title>Replaced</title>');
    const noDir = await runInProcess(['portfolio', 'report', '--output', path.join(dir, 'nope/x.html')], { env });
    expect(noDir.code).toBe(2);
  });

  it('writes in the locale asked for, else the profile’s remembered one, else en-GB', async () => {
    const da = path.join(dir, 'da.html');
    expect((await report(da, '--locale', 'da-DK', '--customers', 'NW-001')).code).toBe(0);
    const html = readFileSync(da, 'utf8');
    expect(html).toContain('<html lang="da-DK">');
    expect(html).toMatch(/<b>Databrud: /);
    expect(html.match(/<section class="page"/g)).toHaveLength(2);
    // The wizard remembers a locale per account; the report uses it.
    const { sandbox, configDir } = fx();
    const account = `${sandbox.partnerId}@${new URL(sandbox.url).host}`;
    writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({ profiles: {}, preferences: { [account]: { localeCode: 'sv-SE' } } }),
    );
    try {
      const sv = path.join(dir, 'sv.html');
      expect((await report(sv, '--customers', 'NW-001')).code).toBe(0);
      expect(readFileSync(sv, 'utf8')).toContain('<html lang="sv-SE">');
      expect(readFileSync(sv, 'utf8')).toMatch(/<b>Dataintrång: /);
    } finally {
      writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ profiles: {} }));
    }
    const en = path.join(dir, 'en.html');
    expect((await report(en, '--customers', 'NW-001')).code).toBe(0);
    expect(readFileSync(en, 'utf8')).toContain('<html lang="en-GB">');
  });

  it('escapes what customers are called, and lists the ones it could not read (exit as the worst failure)', async () => {
    const { sandbox, env, configDir } = fx();
    const onboard = ['customer', 'onboard', '--company-name', '<script>alert(1)</script> & Co', '--reference', 'XSS-1'];
    const flags = ['--email', 'admin@xss.co', '--alert-recipient', 'a@xss.co', '--price', '1', '--currency', 'USD'];
    expect((await runInProcess([...onboard, ...flags, '--billed-from', 'now+1d'], { env })).code).toBe(0);
    const account = `${sandbox.partnerId}@${new URL(sandbox.url).host}`;
    const foreign = sandbox.state.customers.find((c) => c.partnerId !== sandbox.partnerId)!;
    await recordOnboarded(configDir, account, { reference: 'FOREIGN-9', id: foreign.id, companyName: 'X' }, new Date());
    const file = path.join(dir, 'mixed.html');
    const r = await report(file);
    expect(r.code).toBe(3);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toMatch(/<h3>Not read<\/h3><ul><li><b>FOREIGN-9<\/b>: <span class="error">Customer not found/);
  });

  it('writes nothing for an empty book', async () => {
    const { dir: configDir, cleanup } = tempDir();
    try {
      const env = cleanEnv({ ...fx().env, SAFEWEB_CONFIG_DIR: configDir });
      const file = path.join(dir, 'empty.html');
      const r = await runInProcess(['portfolio', 'report', '--output', file], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no report was written');
      expect(existsSync(file)).toBe(false);
    } finally {
      cleanup();
    }
  });

  describe.skipIf(!chromium)('in headless Chromium', () => {
    it('renders a page that is not blank, with the charts in the band colours, and prints a page per customer', async () => {
      const file = path.join(dir, 'render', 'book.html');
      mkdirSync(path.dirname(file));
      expect((await report(file, '--customers', ...activeSeed().map((c) => c.customerReference))).code).toBe(0);
      const shot = await screenshot(chromium!, file, 1000, 1400);
      expect([shot.width, shot.height]).toEqual([1000, 1400]);
      const colours = new Set<number>();
      let inked = 0;
      for (let i = 0; i < shot.rgb.length; i += 3) {
        const [r, g, b] = [shot.rgb[i]!, shot.rgb[i + 1]!, shot.rgb[i + 2]!];
        colours.add((r << 16) | (g << 8) | b);
        if (r < 200 || g < 200 || b < 200) inked++;
      }
      expect(inked / (shot.width * shot.height)).toBeGreaterThan(0.02);
      expect(colours.size).toBeGreaterThan(50);
      // The bars of the charts are drawn: the fill of every band the book has is on screen.
      const bands = JSON.parse((await runInProcess(['portfolio', 'status', '--json'], { env: fx().env })).stdout);
      const present = new Set<string>(bands.customers.map((c: { band: string }) => c.band).filter(Boolean));
      const fills: Record<string, number> = { critical: 0x9f1239, high: 0xdc2626, moderate: 0xd97706, low: 0x16a34a };
      for (const band of present) expect(colours.has(fills[band]!), band).toBe(true);
      expect(await printedPages(chromium!, file)).toBeGreaterThanOrEqual(1 + activeSeed().length);
    }, 120_000);
  });
});
