/**
 * `safeweb integrations show|check`: the profile's settings file (named for the account when no
 * profile is in use), or a manifest's settings with --file; check exits 2 listing every problem.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, tempDir } from '../../helpers/cli.js';
import { GOOD } from '../../fixtures/integrations.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function world() {
  const t = tempDir('integrations-cmd-');
  cleanups.push(t.cleanup);
  const configDir = path.join(t.dir, 'cfg');
  // No request is made: an unreachable port proves it.
  const env = cleanEnv({
    SAFEWEB_CONFIG_DIR: configDir,
    SAFEWEB_PARTNER_ID: 'P1',
    SAFEWEB_BASE_URL: 'http://127.0.0.1:9',
    SAFEWEB_API_KEY: 'not-used',
  });
  const file = path.join(configDir, 'integrations', 'P1@127.0.0.1_9.yaml');
  return {
    dir: t.dir,
    file,
    write(text: string) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    cli: (argv: string[]) => runInProcess(argv, { env }),
  };
}

describe('safeweb integrations', () => {
  it('show: nothing configured yet, naming the file it would read', async () => {
    const w = world();
    const r = await w.cli(['integrations', 'show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain(`No integration settings yet (${w.file} does not exist).`);
    const json = JSON.parse((await w.cli(['integrations', 'show', '--json'])).stdout) as unknown;
    expect(json).toEqual({ file: w.file, kind: 'settings', exists: false, settings: {} });
  });

  it('show: one line per connection, channel, route and customer; --json is the settings', async () => {
    const w = world();
    w.write(GOOD);
    const r = await w.cli(['integrations', 'show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'psa\tcw (default)\tconnectwise\tsite na.myconnectwise.net; company msp; publicKey abcd1234; clientId 0b6d-integrator; secret psa/connectwise; board Security',
      'channel\tsoc\tteams\tsecret notify/soc-teams',
      'channel\toncall\tpagerduty\tsecret notify/oncall; region eu',
      'route\t#1\t\tevents breach.new; bands critical; to oncall,soc',
      'customer\tNW-001\t\ttags vip; company 250',
      '',
    ]);
    const json = JSON.parse((await w.cli(['integrations', 'show', '--json'])).stdout) as {
      settings: { notify: { routes: unknown[] } };
    };
    expect(json.settings.notify.routes).toEqual([
      { events: ['breach.new'], bands: ['critical'], channels: ['oncall', 'soc'] },
    ]);
  });

  it('check: a valid file is exit 0 with what it holds', async () => {
    const w = world();
    w.write(GOOD);
    const r = await w.cli(['integrations', 'check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${w.file} is valid: 1 PSA connection, 2 channels, 1 route, 1 customer setting.`);
  });

  it('check: exit 2 naming every problem with its line; --json lists them as data', async () => {
    const w = world();
    w.write(GOOD.replace('[breach.new]', '[breach.new, breach.lost]').replace('[oncall, soc]', '[oncall, pager]'));
    const r = await w.cli(['integrations', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not valid integration settings (2 problems)');
    expect(r.stderr).toContain('notify.routes[0].events[1]: must be one of breach.new,');
    expect(r.stderr).toContain('(line 22, column 28)');
    expect(r.stderr).toContain('notify.routes[0].channels[1]: names no channel ("pager" is not under notify.channels)');
    const json = await w.cli(['integrations', 'check', '--json']);
    expect(json.code).toBe(2);
    const error = JSON.parse(json.stderr) as { error: { problems: Array<{ path: string }> } };
    expect(error.error.problems.map((p) => p.path)).toEqual([
      'notify.routes[0].events[1]',
      'notify.routes[0].channels[1]',
    ]);
  });

  it('--file: the settings a manifest carries, checked with the manifest', async () => {
    const w = world();
    const book = path.join(w.dir, 'book.yaml');
    const manifest = [
      'customers:',
      '  - customerReference: NW-001',
      '    companyName: Northwind',
      '    tags: [vip]',
      '    psa: { company: 250 }',
      'psa:',
      '  connections:',
      '    at: { kind: autotask, username: api@msp.example, secret: psa/autotask }',
      'notify:',
      '  channels:',
      '    soc: { kind: slack, secret: notify/soc }',
      '  routes:',
      '    - channels: [soc]',
      '      tags: [vip]',
      '',
    ].join('\n');
    writeFileSync(book, manifest);
    const show = await w.cli(['integrations', 'show', '--file', book, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect((JSON.parse(show.stdout) as { settings: unknown }).settings).toEqual({
      psa: { connections: { at: { kind: 'autotask', username: 'api@msp.example', secret: 'psa/autotask' } } },
      notify: {
        channels: { soc: { kind: 'slack', secret: 'notify/soc' } },
        routes: [{ channels: ['soc'], tags: ['vip'] }],
      },
      customers: { 'NW-001': { tags: ['vip'], psa: { company: 250 } } },
    });
    writeFileSync(book, manifest.replace('psa: { company: 250 }', 'psa: { company: 250, connection: cw }'));
    const check = await w.cli(['integrations', 'check', '--file', book]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(
      'customers[0].psa.connection: names no connection ("cw" is not under psa.connections) (line 5, column ',
    );
  });
});
