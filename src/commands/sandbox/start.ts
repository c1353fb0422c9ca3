import type { Outcome } from '../../outcome.js';
import { checkProfileName } from '../../config/profile-name.js';
import { saveProfile } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { UnavailableError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { startSandbox, type Faults, type Sandbox } from '../../sandbox/server.js';

export interface SandboxStartOptions {
  port: number;
  state?: string | undefined;
  saveProfile?: string | undefined;
  quiet: boolean;
  faults?: Faults;
}

export async function openSandbox(
  ctx: Context,
  opts: { port: number; state?: string | undefined; log?: (line: string) => void; faults?: Faults | undefined },
): Promise<Sandbox> {
  try {
    return await startSandbox({ port: opts.port, statePath: opts.state, log: opts.log, faults: opts.faults });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UnavailableError(
        `port ${opts.port} on 127.0.0.1 is already in use`,
        undefined,
        'Pick another with --port, or --port 0 for any free port.',
      );
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on port ${opts.port}`, 'Use a port above 1024.');
    throw new UsageError((error as Error).message);
  }
}

export async function runSandboxStart(opts: SandboxStartOptions, ctx: Context): Promise<Outcome | void> {
  const profileName = opts.saveProfile === undefined ? undefined : checkProfileName(opts.saveProfile);
  const log = opts.quiet ? undefined : (line: string) => ctx.out.info(ctx.out.errColor.dim(line));
  const sandbox = await openSandbox(ctx, { port: opts.port, state: opts.state, log, faults: opts.faults });
  // Listen for Ctrl+C / SIGTERM before telling anyone we are up, so an early stop is clean.
  const stopped = ctx.waitForSignal();
  try {
    let saved: { file: string } | undefined;
    if (profileName) {
      saved = await saveProfile(
        ctx.configDir,
        profileName,
        { partnerId: sandbox.partnerId, apiKey: sandbox.apiKey, baseUrl: sandbox.url },
        { activate: true, replace: true },
      );
    }
    if (ctx.globals.json) {
      ctx.out.printJson({
        url: sandbox.url,
        partnerId: sandbox.partnerId,
        apiKey: sandbox.apiKey,
        profile: profileName ?? null,
        state: opts.state ?? null,
      });
    } else {
      const c = ctx.out.color;
      ctx.out.line(`SafeWeb sandbox listening on ${c.bold(sandbox.url)}`);
      ctx.out.line(`  partner ID  ${sandbox.partnerId}`);
      ctx.out.line(`  API key     ${sandbox.apiKey}`);
      ctx.out.line(`  state       ${opts.state ?? 'in memory (use --state FILE to keep it)'}`);
      const f = opts.faults ?? {};
      const knobs = [
        f.latencyMs ? `latency ${f.latencyMs} ms` : '',
        f.errorRate ? `error rate ${f.errorRate * 100}%` : '',
        f.rateLimit ? `rate limit ${f.rateLimit}/s` : '',
      ].filter(Boolean);
      if (knobs.length) ctx.out.line(`  faults      ${knobs.join(', ')}`);
    }
    if (saved)
      ctx.out.success(
        `Saved profile "${profileName}" in ${saved.file}; it is now active. Try: safeweb partner analytics`,
      );
    else
      ctx.out.hint(
        `Use it from another terminal: safeweb sandbox start --save-profile, or export SAFEWEB_BASE_URL=${sandbox.url} SAFEWEB_PARTNER_ID=${sandbox.partnerId} SAFEWEB_API_KEY=…`,
      );
    ctx.out.hint('Press Ctrl+C to stop.');
    const signal = await stopped;
    ctx.out.info('Stopping the sandbox…');
    return { data: undefined, failures: signal === 'SIGINT' ? [ExitCode.Cancelled] : [] };
  } finally {
    await sandbox.close();
  }
}
