/**
 * `portfolio watch` behind a slow reader, killed: the events reach the pipe before the state says
 * they were reported, so a kill -9 while the reader is behind loses none (the next run repeats
 * what was not delivered), and the killed run's lock does not hold the next run back.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { BIN, cleanEnv, runBinary, tempDir, until } from '../../helpers/cli.js';
import { onboardMany } from '../../portfolio/fixture.js';

let sandbox: Sandbox;
let env: Record<string, string | undefined>;
const reads: string[] = [];
const temp = tempDir();
const CUSTOMERS = 500;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, log: (line) => reads.push(line) });
  env = cleanEnv({
    SAFEWEB_CONFIG_DIR: path.join(temp.dir, 'cfg'),
    SAFEWEB_BASE_URL: sandbox.url,
    SAFEWEB_PARTNER_ID: sandbox.partnerId,
    SAFEWEB_API_KEY: sandbox.apiKey,
  });
  await onboardMany(env, CUSTOMERS, 'SLOW');
});
afterAll(async () => {
  await sandbox.close();
  temp.cleanup();
});

interface Event {
  type: string;
  breachId?: string;
}

describe('portfolio watch behind a slow reader', () => {
  it('killed -9 while the pipe is full: no event is lost, and the next run is not refused by its lock', async () => {
    const state = path.join(temp.dir, 'watch.json');
    // The book is the customers this tool onboarded (the sandbox's seed customers are not in it).
    const mine = new Set(
      sandbox.state.customers.filter((c) => c.customerReference.startsWith('SLOW-')).map((c) => c.id),
    );
    const open = sandbox.state.breaches.filter((b) => !b.resolved && mine.has(b.customerId));
    // Enough events to overflow a 64 KiB pipe many times over.
    expect(open.length).toBeGreaterThan(1000);

    const before = reads.length;
    // stdout is a pipe nobody reads: once it is full, the rest waits in the watcher.
    const child = spawn(process.execPath, [BIN, 'portfolio', 'watch', '--state', state, '--json'], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.pause();
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Every customer read (assets, breaches, threat score), then time to report and, with the
    // defect, save the state.
    await until(
      () => reads.slice(before).filter((l) => l.includes('/breaches')).length >= CUSTOMERS,
      'the reads',
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const savedWhileBehind = existsSync(state);
    child.kill('SIGKILL');
    // What the reader gets of the killed run: whatever had reached the pipe.
    let delivered = '';
    child.stdout.on('data', (c: Buffer) => (delivered += c.toString()));
    child.stdout.resume();
    await exited;
    const got = new Set(
      delivered
        .split('\n')
        .filter((l) => l.trim() && l.endsWith('}'))
        .map((l) => (JSON.parse(l) as Event).breachId),
    );
    expect(got.size).toBeLessThan(open.length);
    expect(savedWhileBehind).toBe(false);

    // The next run at once: the dead run's lock is taken over, and what was not delivered comes now.
    const again = await runBinary(['portfolio', 'watch', '--state', state, '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    for (const line of again.stdout.split('\n').filter(Boolean)) got.add((JSON.parse(line) as Event).breachId);
    expect([...got].sort()).toEqual(open.map((b) => b.id).sort());
    // Two runs over 1 000+ breaches and a wait: about 15 s alone, more beside other test files.
  }, 60_000);
});
