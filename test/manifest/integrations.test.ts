/**
 * A book kept as code with its integration settings: `psa:`/`notify:` at the top and `tags:`/`psa:`
 * on each customer are local only. The sandbox takes unknown fields without complaint, so a
 * recording proxy (real HTTP over loopback) in front of it keeps every request body, and none of
 * plan's or apply's may carry them; broken settings are problems with their lines, like any other.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, manifestIntegrations } from '../../src/manifest/load.js';
import { ValidationError } from '../../src/errors.js';
import { bookWorld, bookYaml, type BookWorld } from './world.js';

let w: BookWorld;
let proxy: http.Server;
const bodies: string[] = [];

beforeAll(async () => {
  w = await bookWorld();
  const target = new URL(w.sandbox.url);
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'GET') bodies.push(`${req.method} ${req.url} ${body.toString('utf8')}`);
      const out = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await w.close();
});

const BLOCKS = [
  'psa:',
  '  default: cw',
  '  connections:',
  '    cw: { kind: connectwise, site: na.myconnectwise.net, company: msp, publicKey: pk, clientId: cid, secret: psa/connectwise }',
  'notify:',
  '  channels:',
  '    soc: { kind: teams, secret: notify/soc-teams }',
  '  routes:',
  '    - { events: [breach.new], tags: [vip], channels: [soc] }',
  '',
].join('\n');

const book = () =>
  bookYaml(2, { extra: (i) => `    tags: [vip, tier-${i}]\n    psa: { company: ${100 + i}, board: Security }` }) +
  BLOCKS;

describe('a manifest with integration settings', () => {
  it('plan and apply send none of them, on create and on update', async () => {
    const env = { ...w.env, SAFEWEB_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
    const file = w.write('book.yaml', book());
    const apply = (f: string) =>
      w.cli(['apply', '--file', f, '--yes', '--secret-dir', path.join(w.dir, 'secrets')], { env });
    const plan = await w.cli(['plan', '--file', file], { env });
    expect(plan.code, plan.stderr).toBe(0);
    const first = await apply(file);
    expect(first.code, first.stderr).toBe(0);
    expect(
      w
        .customers('BOOK-')
        .map((c) => c.customerReference)
        .sort(),
    ).toEqual(['BOOK-1', 'BOOK-2']);
    const again = await apply(
      w.write('book2.yaml', book().replace('[staff@b1.example]', '[staff@b1.example, new@b1.example]')),
    );
    expect(again.code, again.stderr).toBe(0);
    const created = bodies.filter((b) => b.startsWith('POST ') && b.includes('BOOK-1')).length;
    expect(created).toBe(1);
    // The second run changed an existing customer's assets.
    expect(bodies.filter((b) => b.startsWith('PATCH ') && b.includes('new@b1.example'))).toHaveLength(1);
    for (const body of bodies) {
      expect(body).not.toMatch(/"tags"|"psa"|"notify"|vip|tier-|psa\/connectwise|notify\/soc-teams|Security/);
    }
  });

  it('are given in the settings file\u2019s shape for --file', async () => {
    const manifest = await loadManifest({ manifest: book() }, new Date('2026-12-01T00:00:00Z'));
    expect(manifest.customers[0]!.body).not.toHaveProperty('tags');
    expect(manifest.customers[0]!.body).not.toHaveProperty('psa');
    const settings = manifestIntegrations(manifest);
    expect(settings.psa?.default).toBe('cw');
    expect(settings.notify?.routes).toEqual([{ events: ['breach.new'], tags: ['vip'], channels: ['soc'] }]);
    expect(settings.customers).toEqual({
      'BOOK-1': { tags: ['vip', 'tier-1'], psa: { company: 101, board: 'Security' } },
      'BOOK-2': { tags: ['vip', 'tier-2'], psa: { company: 102, board: 'Security' } },
    });
  });

  it('are checked with the manifest: every problem, with its line', async () => {
    const broken = book()
      .replace('tags: [vip, tier-1]', 'tags: vip')
      .replace('psa: { company: 102, board: Security }', 'psa: { board: Security, connection: at }')
      .replace('secret: notify/soc-teams', 'secret: "https://x.logic.azure.com/w?sig=s3cr3t"');
    const error = await loadManifest({ manifest: broken }, new Date('2026-12-01T00:00:00Z')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const lines = (error as ValidationError).lines;
    expect(lines).toEqual([
      'notify.channels.soc.secret: must name a secret of the secret store, never hold the secret (line 26, column 33)',
      'customers[0].tags: must be a list (line 11, column 11)',
      'customers[1].psa.company: is required (line 19, column 10)',
      'customers[1].psa.connection: names no connection ("at" is not under psa.connections) (line 19, column 41)',
    ]);
  });
});
