import { checkProfileName } from '../../config/profile-name.js';
import { saveProfile } from '../../config/profiles.js';
import { readConfig } from '../../config/store.js';
import type { Context } from '../../context.js';
import { UnavailableError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { readRecord } from '../../customers/local-record.js';
import { accountKey } from '../../io/account-files.js';
import { hint, info, styled, success, warn, type Outcome, type Text } from '../../outcome.js';
import { startAutotask, type AutotaskEmulator } from '../../sandbox/psa/autotask.js';
import { startConnectWise, type ConnectWiseEmulator, type ConnectWiseFaults } from '../../sandbox/psa/connectwise.js';
import { startHalo, type HaloEmulator } from '../../sandbox/psa/halo.js';
import { startSandbox, type Faults, type Sandbox } from '../../sandbox/server.js';
import { seededRandom } from './random.js';

/** The fault knobs as flags give them; `seed` makes the injected errors repeatable. */
export type FaultFlags = Omit<Faults, 'random'> & { seed?: number | undefined };

/** The PSA emulators `--psa` can add beside the SafeWeb one (the flag's choices, in index.ts). */
export type PsaEmulatorName = 'connectwise' | 'autotask' | 'halo';

/** The PSA emulator's own knobs (`--psa-latency` and the like): the SafeWeb ones stay apart. */
export type PsaFaultFlags = Omit<ConnectWiseFaults, 'random'>;

export interface PsaEmulatorOptions {
  /** One or several (`--psa connectwise,autotask`), each on a port of its own. */
  names: PsaEmulatorName[];
  faults?: PsaFaultFlags | undefined;
}

/** A running PSA emulator, by kind. */
export type PsaEmulator =
  | { name: 'connectwise'; emulator: ConnectWiseEmulator }
  | { name: 'autotask'; emulator: AutotaskEmulator }
  | { name: 'halo'; emulator: HaloEmulator };

export interface SandboxStartOptions {
  port: number;
  state?: string | undefined;
  saveProfile?: string | undefined;
  quiet: boolean;
  faults?: FaultFlags | undefined;
  psa?: PsaEmulatorOptions | undefined;
}

/**
 * The PSA emulators asked for, each on a free port of its own, with a company for each of the
 * sandbox's seed customers; `--seed` makes their injected failures repeatable too.
 */
export async function openPsaEmulators(
  sandbox: Sandbox,
  opts: { psa: PsaEmulatorOptions; seed?: number | undefined; log?: ((line: string) => void) | undefined },
): Promise<PsaEmulator[]> {
  const knobs = opts.psa.faults ?? {};
  const customers = sandbox.state.customers.filter((c) => c.partnerId === sandbox.partnerId);
  const opened: PsaEmulator[] = [];
  try {
    for (const [i, name] of opts.psa.names.entries()) {
      const faults: ConnectWiseFaults =
        opts.seed === undefined ? knobs : { ...knobs, random: seededRandom(opts.seed + 1 + i) };
      opened.push(
        name === 'autotask'
          ? { name, emulator: await startAutotask({ customers, faults, log: opts.log }) }
          : name === 'halo'
            ? { name, emulator: await startHalo({ customers, faults, log: opts.log }) }
            : { name, emulator: await startConnectWise({ customers, faults, log: opts.log }) },
      );
    }
  } catch (error) {
    await closePsaEmulators(opened);
    throw error;
  }
  return opened;
}

export async function closePsaEmulators(emulators: readonly PsaEmulator[]): Promise<void> {
  await Promise.all(emulators.map((e) => e.emulator.close()));
}

/** What a script or a test needs to reach an emulator: an object of the `--json` banner's `psa`. */
function psaDetails(psa: PsaEmulator) {
  if (psa.name === 'halo') {
    const { url, apiBase, tokenUrl, credentials } = psa.emulator;
    return {
      name: 'halo',
      url,
      apiBase,
      tokenUrl,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
    };
  }
  if (psa.name === 'autotask') {
    const { username, integrationCode, secret } = psa.emulator.credentials;
    return {
      name: 'autotask',
      url: psa.emulator.url,
      zone: psa.emulator.zone,
      zoneUrl: psa.emulator.zoneUrl,
      username,
      integrationCode,
      secret,
    };
  }
  const { companyId, publicKey, privateKey, clientId } = psa.emulator.credentials;
  return {
    name: 'connectwise',
    url: psa.emulator.url,
    apiBase: psa.emulator.apiBase,
    companyId,
    publicKey,
    privateKey,
    clientId,
  };
}

function psaBanner(psa: PsaEmulator, faults: PsaFaultFlags | undefined): string {
  const knobs = [
    faults?.latencyMs ? `latency ${faults.latencyMs} ms` : '',
    faults?.errorRate ? `error rate ${faults.errorRate * 100}%` : '',
    faults?.throttleRate ? `429 rate ${faults.throttleRate * 100}%` : '',
  ].filter(Boolean);
  const tail = [
    `  technician  POST ${psa.emulator.url}/__emulator/tickets/<id>/close (or /reopen)`,
    ...(knobs.length ? [`  faults      ${knobs.join(', ')}`] : []),
  ];
  if (psa.name === 'halo') {
    const { url, apiBase, tokenUrl, credentials } = psa.emulator;
    return [
      `\nHaloPSA emulator listening on ${url}  (REST base ${apiBase})`,
      `  token       ${tokenUrl}`,
      `  client ID   ${credentials.clientId}`,
      `  secret      ${credentials.clientSecret}`,
      ...tail,
    ].join('\n');
  }
  if (psa.name === 'autotask') {
    const d = psaDetails(psa) as {
      url: string;
      zone: string;
      zoneUrl: string;
      username: string;
      integrationCode: string;
      secret: string;
    };
    return [
      `\nAutotask PSA emulator listening on ${d.url}  (zone ${d.zone})`,
      `  zone lookup ${d.zoneUrl}`,
      `  user name   ${d.username}`,
      `  integration ${d.integrationCode}`,
      `  secret      ${d.secret}`,
      ...tail,
    ].join('\n');
  }
  const d = psaDetails(psa) as {
    url: string;
    apiBase: string;
    companyId: string;
    publicKey: string;
    privateKey: string;
    clientId: string;
  };
  return [
    `\nConnectWise PSA emulator listening on ${d.url}  (REST base ${d.apiBase})`,
    `  company ID  ${d.companyId}`,
    `  public key  ${d.publicKey}`,
    `  private key ${d.privateKey}`,
    `  client ID   ${d.clientId}`,
    ...tail,
  ].join('\n');
}

export async function openSandbox(
  ctx: Context,
  opts: { port: number; state?: string | undefined; log?: (line: string) => void; faults?: FaultFlags | undefined },
): Promise<Sandbox> {
  const { seed, ...knobs } = opts.faults ?? {};
  const faults: Faults = seed === undefined ? knobs : { ...knobs, random: seededRandom(seed) };
  try {
    return await startSandbox({ port: opts.port, statePath: opts.state, log: opts.log, faults });
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

/** What a person reads once the sandbox is up. */
function banner(sandbox: Sandbox, opts: SandboxStartOptions): Text {
  const f = opts.faults ?? {};
  const knobs = [
    f.latencyMs ? `latency ${f.latencyMs} ms` : '',
    f.errorRate ? `error rate ${f.errorRate * 100}%` : '',
    f.rateLimit ? `rate limit ${f.rateLimit}/s` : '',
    f.errorRate && f.seed !== undefined ? `seed ${f.seed}` : '',
  ].filter(Boolean);
  const details = [
    `  partner ID  ${sandbox.partnerId}`,
    `  API key     ${sandbox.apiKey}`,
    `  state       ${opts.state ?? 'in memory (use --state FILE to keep it)'}`,
    ...(knobs.length ? [`  faults      ${knobs.join(', ')}`] : []),
  ];
  return ['SafeWeb sandbox listening on ', styled('strong', sandbox.url), `\n${details.join('\n')}`];
}

/** Customers the local record holds for this sandbox's partner at this address (an earlier sandbox's). */
function recordedHere(configDir: string, sandbox: Sandbox): number {
  try {
    return readRecord(configDir, accountKey(sandbox.partnerId, sandbox.url)).customers.length;
  } catch {
    return 0; // an unreadable record is for the commands that use it to report
  }
}

/** Runs until Ctrl+C (exit 130) or SIGTERM (exit 0); what it says goes to the sink as it happens. */
export async function runSandboxStart(opts: SandboxStartOptions, ctx: Context): Promise<Outcome> {
  const profileName = opts.saveProfile === undefined ? undefined : checkProfileName(opts.saveProfile);
  const log = opts.quiet ? undefined : (line: string) => ctx.sink.note(info([styled('dim', line)]));
  const sandbox = await openSandbox(ctx, { port: opts.port, state: opts.state, log, faults: opts.faults });
  let psa: PsaEmulator[] = [];
  try {
    psa = opts.psa ? await openPsaEmulators(sandbox, { psa: opts.psa, seed: opts.faults?.seed, log }) : [];
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  // Listen for Ctrl+C / SIGTERM before telling anyone we are up, so an early stop is clean.
  const stopped = ctx.waitForSignal();
  try {
    let saved: { file: string } | undefined;
    // The profile it replaces as the active one: named, so switching back is one command away.
    let previous: string | undefined;
    if (profileName) {
      previous = readConfig(ctx.configDir).activeProfile;
      saved = await saveProfile(
        ctx.configDir,
        profileName,
        { partnerId: sandbox.partnerId, apiKey: sandbox.apiKey, baseUrl: sandbox.url },
        { activate: true, replace: true },
      );
    }
    const { url, partnerId, apiKey } = sandbox;
    const text = banner(sandbox, opts);
    ctx.sink.event(
      {
        url,
        partnerId,
        apiKey,
        profile: profileName ?? null,
        state: opts.state ?? null,
        // The first emulator as `psa` (what one --psa gives); all of them in `psas`.
        ...(psa.length ? { psa: psaDetails(psa[0]!), psas: psa.map(psaDetails) } : {}),
      },
      psa.length ? [...(Array.isArray(text) ? text : [text]), ...psa.map((p) => psaBanner(p, opts.psa?.faults))] : text,
    );
    ctx.sink.note(
      saved
        ? success(
            `Saved profile "${profileName}" in ${saved.file} and made it the active profile` +
              (previous && previous !== profileName
                ? ` in place of "${previous}" (back with: safeweb profile use ${previous})`
                : '') +
              '. Try: safeweb partner analytics',
          )
        : hint(
            'Use it from another terminal: safeweb sandbox start --save-profile, or export ' +
              `SAFEWEB_BASE_URL=${url} SAFEWEB_PARTNER_ID=${partnerId} SAFEWEB_API_KEY=…`,
          ),
    );
    const forgotten = opts.state === undefined ? recordedHere(ctx.configDir, sandbox) : 0;
    if (forgotten)
      ctx.sink.note(
        warn(
          `The local record holds ${forgotten} customer${forgotten === 1 ? '' : 's'} of a sandbox on this address, ` +
            "but this one starts empty: they are not here. Keep a sandbox's data between starts with --state FILE.",
        ),
      );
    ctx.sink.note(hint('Press Ctrl+C to stop.'));
    const signal = await stopped;
    ctx.sink.note(info('Stopping the sandbox…'));
    return { data: undefined, failures: signal === 'SIGINT' ? [ExitCode.Cancelled] : [] };
  } finally {
    await closePsaEmulators(psa);
    await sandbox.close();
  }
}
