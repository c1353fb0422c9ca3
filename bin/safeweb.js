#!/usr/bin/env node
// Tiny shim: compile cache where Node has it, process-level signal and pipe handling, then the
// built entry.
import { readFileSync } from 'node:fs';
import module from 'node:module';

module.enableCompileCache?.();

// `safeweb ... | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Ctrl+C: a command that handles it (sandbox, listen, bulk runs) adds its own listener and
// stops cleanly; anywhere else, give the cursor back and exit 130 at once.
process.on('SIGINT', () => {
  if (process.listenerCount('SIGINT') > 1) return;
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n');
  process.exit(130);
});

// The root help and the version to a pipe or a file are text the build wrote: nothing else is
// loaded for them. On a terminal, dist/main.js lays the help out for its width and adds Node's
// version to ours.
const args = process.argv.slice(2);
const only = args.length === 1 ? args[0] : undefined;
const piped = process.stdout.isTTY
  ? undefined
  : args.length === 0 || ['--help', '-h', 'help'].includes(only)
    ? 'root-help.txt'
    : ['--version', '-V', 'version'].includes(only)
      ? 'version.txt'
      : undefined;
if (piped) process.stdout.write(readFileSync(new URL(`../dist/${piped}`, import.meta.url)));
else await runTool();

// The first of `signals` (SIGINT and SIGTERM unless a verb asks for others: serve's SIGHUP).
// The listeners go a turn after it resolves, so a verb that waits again at once (SIGHUP, again
// and again) is listening before they go: the signal's default action (SIGHUP ends the process)
// never gets a moment back in between.
function waitForSignal(signals = ['SIGINT', 'SIGTERM']) {
  return new Promise((resolve) => {
    const on = (signal) => {
      resolve(signal);
      setTimeout(() => {
        for (const s of signals) process.off(s, on);
      }, 0);
    };
    for (const s of signals) process.on(s, on);
  });
}

async function runTool() {
  const { run } = await import('../dist/main.js');
  process.exitCode = await run(args, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    nodeVersion: process.version,
    waitForSignal,
  });
}
