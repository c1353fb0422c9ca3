import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordOnboarded } from '../../../src/customers/local-record.js';
import { assetName, escapeHtml } from '../../../src/portfolio/html.js';
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
      for (const d of c.domains) expect(html).toContain(assetName(d));
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
    // One customer: its page alone.
    expect(html.match(/<section class="page"/g)).toHaveLength(1);
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

  it('refuses an --output it would not write as named (r.pdf), exit 2 in one line, before anything is sent', async () => {
    // A closed port: a request would be exit 5; the refusal comes first.
    const env = { ...fx().env, SAFEWEB_BASE_URL: 'http://127.0.0.1:9' };
    for (const name of ['r.pdf', 'r', 'r.html.txt']) {
      const file = path.join(dir, name);
      const r = await runInProcess(['portfolio', 'report', '--output', file], { env });
      expect(r.code, name).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toContain(`--output must end in .html (${name} does not)`);
      expect(existsSync(file), name).toBe(false);
    }
    const pdf = await runInProcess(['portfolio', 'report', '--output', path.join(dir, 'r.pdf')], { env });
    expect(pdf.stderr).toContain('open it in a browser and print it to PDF');
    // Any case of .html or .htm is HTML.
    expect((await report(path.join(dir, 'upper.HTM'), '--customers', 'NW-001')).code).toBe(0);
  });

  it('one customer: that customer’s report, headed by its name, from the partner, with no book overview', async () => {
    const nw = activeSeed().find((c) => c.customerReference === 'NW-001')!;
    const file = path.join(dir, 'one.html');
    expect((await report(file, '--customers', 'NW-001')).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<section class="page"/g)).toHaveLength(1);
    expect(html).not.toMatch(/Most exposed customers|Customers by threat band/i);
    expect(html).toContain(`<h1>${escapeHtml(nw.companyName)}</h1>`);
    expect(html).toContain(`<title>${escapeHtml(nw.companyName)}</title>`);
    // From the partner, not from an account's host and port.
    expect(html).toContain(`<p class="muted">${fx().sandbox.partnerId} · `);
    expect(html).not.toContain(new URL(fx().sandbox.url).host);
    // --title heads it; the customer's name follows.
    const titled = path.join(dir, 'one-titled.html');
    expect((await report(titled, '--customers', 'NW-001', '--title', 'December review')).code).toBe(0);
    const t = readFileSync(titled, 'utf8');
    expect(t).toContain(`<h1>December review</h1>\n<h2>${escapeHtml(nw.companyName)}</h2>`);
    // Two customers: the book's report, with its overview.
    const two = path.join(dir, 'two.html');
    const other = activeSeed().find((c) => c.customerReference !== 'NW-001')!.customerReference;
    expect((await report(two, '--customers', 'NW-001', other)).code).toBe(0);
    expect(readFileSync(two, 'utf8')).toContain('Most exposed customers');
  });

  it('names the partner by the profile’s display name (profile set --display-name)', async () => {
    const { sandbox, configDir } = fx();
    const env = cleanEnv({ SAFEWEB_CONFIG_DIR: configDir });
    const add = [
      'profile',
      'add',
      'book',
      '--partner-id',
      sandbox.partnerId,
      '--base-url',
      sandbox.url,
      '--api-key-stdin',
    ];
    expect((await runInProcess(add, { env, stdin: sandbox.apiKey })).code).toBe(0);
    const set = await runInProcess(['profile', 'set', 'book', '--display-name', 'Contoso IT <MSP>'], { env });
    expect(set.code, set.stderr).toBe(0);
    const file = path.join(dir, 'named.html');
    const two = [
      '--customers',
      'NW-001',
      activeSeed().find((c) => c.customerReference !== 'NW-001')!.customerReference,
    ];
    const r = await runInProcess(['portfolio', 'report', '--output', file, ...two], { env });
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h1>Portfolio report</h1>\n<p class="muted">Contoso IT &lt;MSP&gt; · ');
    expect(html).not.toContain(sandbox.partnerId);
    // '' removes it: the partner ID again.
    expect((await runInProcess(['profile', 'set', 'book', '--display-name', ''], { env })).code).toBe(0);
    const again = path.join(dir, 'unnamed.html');
    expect((await runInProcess(['portfolio', 'report', '--output', again, ...two], { env })).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toContain(`<p class="muted">${sandbox.partnerId} · `);
  });

  it('domain names and addresses break only after a dot or an @, never inside a label', () => {
    expect(assetName('security-ops@northwind-regional.example')).toBe(
      '<span class="dn">security-ops@</span><wbr><span class="dn">northwind-regional.</span><wbr><span class="dn">example</span>',
    );
    expect(assetName('<b>.co')).toBe('<span class="dn">&lt;b&gt;.</span><wbr><span class="dn">co</span>');
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
