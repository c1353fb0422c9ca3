/**
 * --jq cannot hang or exhaust the machine (issue 26 item 2): jq runs in a child process with a
 * time limit (SAFEWEB_JQ_TIMEOUT) and a memory cap (SAFEWEB_JQ_MEMORY); over one it is exit 2
 * with one line naming the limit and how to lift it, and Ctrl+C ends the run at once. On a
 * terminal, a --jq failure is a line for people, not a JSON object (issue 27 item 7). Through
 * the built binary.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBinary, runInPty, until } from '../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../helpers/sandbox.js';

let fx: SandboxFixture;
beforeAll(async () => {
  fx = await sandboxFixture();
});
afterAll(() => fx.close());

/** What --json prints for a failure: one line, one object. */
function oneJsonError(stderr: string): { message: string; hint?: string; exitCode: number } {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  return (JSON.parse(stderr) as { error: { message: string; hint?: string; exitCode: number } }).error;
}

describe('--jq limits', () => {
  it('an endless filter is stopped at the time limit: exit 2, one line naming the limit and the fix', async () => {
    // Endless on any input: stopped at the compile check, before the command runs.
    const r = await runBinary(['partner', 'analytics', '--jq', 'def f: f; f'], {
      env: { ...fx.env, SAFEWEB_JQ_TIMEOUT: '1' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneJsonError(r.stderr)).toEqual({
      message: '--jq: the filter ran longer than 1 s and was stopped',
      hint: 'Simplify the filter, or allow more time with SAFEWEB_JQ_TIMEOUT=<seconds>.',
      exitCode: 2,
    });
    // Endless only on the document: stopped after the answer came.
    const late = await runBinary(['partner', 'analytics', '--jq', 'if . == null then 0 else (def f: f; f) end'], {
      env: { ...fx.env, SAFEWEB_JQ_TIMEOUT: '1' },
    });
    expect(late.code).toBe(2);
    expect(late.stdout).toBe('');
    expect(oneJsonError(late.stderr).message).toBe('--jq: the filter ran longer than 1 s and was stopped');
  });

  it('a filter that eats memory is stopped at the cap: exit 2, one line, no native stack', async () => {
    // [repeat(1)] grows an array in jq's WebAssembly memory; "x"*1e9 asks for a gigabyte at once.
    for (const filter of ['[repeat(1)]', '"x" * 1e9']) {
      const r = await runBinary(['whoami', '--jq', filter], {
        env: { ...fx.env, SAFEWEB_JQ_MEMORY: '32', SAFEWEB_JQ_TIMEOUT: '600' },
        timeoutMs: 300_000,
      });
      expect(r.code, filter).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/v8::|node::|FATAL|Aborted|Native stack/i);
      expect(oneJsonError(r.stderr)).toEqual({
        message: '--jq: the filter needed more than 32 MiB of memory and was stopped',
        hint: 'Simplify the filter, or allow more with SAFEWEB_JQ_MEMORY=<MiB>.',
        exitCode: 2,
      });
    }
  }, 600_000);

  it('a limit bad in the environment is exit 2 naming the variable', async () => {
    const r = await runBinary(['whoami', '--jq', '.'], { env: { ...fx.env, SAFEWEB_JQ_MEMORY: 'lots' } });
    expect(r.code).toBe(2);
    expect(oneJsonError(r.stderr).message).toBe('SAFEWEB_JQ_MEMORY must be a number of MiB, at least 32; got "lots"');
  });

  it('in a stream, a record over the limit is a warning and the next record is filtered by a new jq', async () => {
    const r = await runBinary(
      [
        'breach',
        'check',
        'admin@acme.co',
        'jane@acme.co',
        '--ndjson',
        '--jq',
        'if .email == "admin@acme.co" then (def f: f; f) else .email end',
      ],
      { env: { ...fx.env, SAFEWEB_JQ_TIMEOUT: '1' } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('jane@acme.co\n');
    expect(r.stderr).toContain('warning: --jq: the filter ran longer than 1 s and was stopped');
  });

  it('Ctrl+C while an endless filter runs ends the run at once, exit 130, jq with it', async () => {
    const cli = spawn(process.execPath, [BIN, 'whoami', '--jq', 'def f: f; f'], {
      env: { ...fx.env, SAFEWEB_JQ_TIMEOUT: '600' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let code: number | null | undefined;
    cli.on('exit', (c, signal) => (code = c ?? (signal ? 128 : 1)));
    try {
      // The filter is running once the CLI and what it started have spent a second and a half of
      // CPU (loading jq takes a fraction of that; the endless filter burns CPU without end).
      await until(() => cpuTicks(cli.pid!) > 150, 'the endless filter to be running', 60_000);
      const started = childrenOf(cli.pid!);
      cli.kill('SIGINT');
      await until(() => code !== undefined, 'the CLI to end after SIGINT');
      expect(code).toBe(130);
      await until(() => started.every((pid) => !alive(pid)), 'jq’s process to end with the CLI');
    } finally {
      cli.kill('SIGKILL');
    }
  }, 120_000);

  it('the CLI killed with SIGKILL mid-filter takes no orphan with it: jq’s process ends by itself', async () => {
    const cli = spawn(process.execPath, [BIN, 'whoami', '--jq', 'def f: f; f'], {
      env: { ...fx.env, SAFEWEB_JQ_TIMEOUT: '600' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let started: number[] = [];
    try {
      await until(() => cpuTicks(cli.pid!) > 150, 'the endless filter to be running', 60_000);
      started = childrenOf(cli.pid!);
      expect(started.length).toBeGreaterThan(0);
      cli.kill('SIGKILL');
      await until(() => started.every((pid) => !alive(pid)), 'the orphaned jq process to end');
    } finally {
      cli.kill('SIGKILL');
      for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);

  it('normal filters are unchanged: one result a line, strings raw, the process ends by itself', async () => {
    const r = await runBinary(['partner', 'plans', '--jq', '.[0].id, (.[0] | {status}), ([.[] | .id] | length)'], {
      env: fx.env,
    });
    expect(r.code).toBe(0);
    const [id, status, count] = r.stdout.split('\n');
    expect(id).toMatch(/^[^"]+$/);
    expect(status).toBe('{"status":"active"}');
    expect(Number(count)).toBeGreaterThan(0);
  });
});

describe('--jq failures on a terminal', () => {
  it('are one line for people, not a JSON object; off a terminal they stay JSON', async () => {
    const pty = runInPty(['whoami', '--jq', '.[] | select(.'], { env: fx.env });
    expect(await pty.exit).toBe(2);
    const lines = pty.screen().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: --jq: syntax error, unexpected end of file\b.* — The expression runs over/);
    const timedOut = runInPty(['whoami', '--jq', 'def f: f; f'], { env: { ...fx.env, SAFEWEB_JQ_TIMEOUT: '1' } });
    expect(await timedOut.exit).toBe(2);
    expect(timedOut.screen().trim()).toBe(
      'error: --jq: the filter ran longer than 1 s and was stopped — Simplify the filter, or allow more time with SAFEWEB_JQ_TIMEOUT=<seconds>.',
    );
    const piped = await runBinary(['whoami', '--jq', '.[] | select(.'], { env: fx.env });
    expect(oneJsonError(piped.stderr).message).toMatch(/^--jq: syntax error/);
  });
});

/** CPU time (clock ticks) used so far by `pid` and its children, from /proc. */
function cpuTicks(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, p) => {
    const fields = statFields(p);
    return sum + (fields ? Number(fields[11]) + Number(fields[12]) : 0);
  }, 0);
}

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => statFields(p)?.[1] === String(pid));
}

/** Alive: there, and not a zombie left for a parent that will not reap it. */
function alive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== 'Z';
}

/** /proc/PID/stat from its state field on (after "pid (comm)"), or undefined when it is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
