#!/usr/bin/env node
// Tiny shim: compile cache where Node has it, process-level signal and pipe handling, then the
// built entry.
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

const { run } = await import('../dist/main.js');
const waitForSignal = () =>
  new Promise((resolve) => {
    const on = (signal) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  nodeVersion: process.version,
  waitForSignal,
});
