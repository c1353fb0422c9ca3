import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { hint, type Outcome } from '../../outcome.js';
import type { AutotaskEmulator } from '../../sandbox/psa/autotask.js';
import type { ConnectWiseEmulator } from '../../sandbox/psa/connectwise.js';
import type { HaloEmulator } from '../../sandbox/psa/halo.js';
import {
  closePsaEmulators,
  openPsaEmulators,
  openSandbox,
  type FaultFlags,
  type PsaEmulator,
  type PsaEmulatorOptions,
} from './start.js';

export interface SandboxExecOptions {
  command: string[];
  state?: string | undefined;
  faults?: FaultFlags | undefined;
  psa?: PsaEmulatorOptions | undefined;
}

/**
 * Where the command finds the ConnectWise emulator. Named TEST_ because they are not settings
 * the tool reads: a script passes them on (`safeweb psa add connectwise --site "$SAFEWEB_TEST_CW_URL" …`).
 */
function connectWiseEnv(emulator: ConnectWiseEmulator): Record<string, string> {
  const { companyId, publicKey, privateKey, clientId } = emulator.credentials;
  return {
    SAFEWEB_TEST_CW_URL: emulator.url,
    SAFEWEB_TEST_CW_API_BASE: emulator.apiBase,
    SAFEWEB_TEST_CW_COMPANY_ID: companyId,
    SAFEWEB_TEST_CW_PUBLIC_KEY: publicKey,
    SAFEWEB_TEST_CW_PRIVATE_KEY: privateKey,
    SAFEWEB_TEST_CW_CLIENT_ID: clientId,
  };
}

/** Where the command finds the Autotask emulator (`psa add autotask --zone-url "$SAFEWEB_TEST_AT_ZONE_URL" …`). */
function autotaskEnv(emulator: AutotaskEmulator): Record<string, string> {
  const { username, integrationCode, secret } = emulator.credentials;
  return {
    SAFEWEB_TEST_AT_URL: emulator.url,
    SAFEWEB_TEST_AT_ZONE: emulator.zone,
    SAFEWEB_TEST_AT_ZONE_URL: emulator.zoneUrl,
    SAFEWEB_TEST_AT_USERNAME: username,
    SAFEWEB_TEST_AT_INTEGRATION_CODE: integrationCode,
    SAFEWEB_TEST_AT_SECRET: secret,
  };
}

/** Where the command finds the HaloPSA emulator (`psa add halo --tenant "$SAFEWEB_TEST_HALO_URL" …`). */
function haloEnv(emulator: HaloEmulator): Record<string, string> {
  return {
    SAFEWEB_TEST_HALO_URL: emulator.url,
    SAFEWEB_TEST_HALO_API_BASE: emulator.apiBase,
    SAFEWEB_TEST_HALO_CLIENT_ID: emulator.credentials.clientId,
    SAFEWEB_TEST_HALO_CLIENT_SECRET: emulator.credentials.clientSecret,
  };
}

const envOf = (psa: PsaEmulator) =>
  psa.name === 'autotask'
    ? autotaskEnv(psa.emulator)
    : psa.name === 'halo'
      ? haloEnv(psa.emulator)
      : connectWiseEnv(psa.emulator);
const FAR_SIDE: Record<PsaEmulator['name'], string> = {
  connectwise: 'ConnectWise',
  autotask: 'Autotask',
  halo: 'HaloPSA',
};

/** The command's own exit code becomes ours (main passes childExitCode on). */
export async function runSandboxExec(opts: SandboxExecOptions, ctx: Context): Promise<Outcome> {
  const [program, ...args] = opts.command;
  if (!program)
    throw new UsageError(
      'no command given',
      'Write it after --, e.g. safeweb sandbox exec -- safeweb partner analytics',
    );
  const sandbox = await openSandbox(ctx, {
    port: 0,
    state: opts.state,
    log: ctx.globals.debug ? (line) => ctx.debug(`sandbox: ${line}`) : undefined,
    faults: opts.faults,
  });
  let psa: PsaEmulator[] = [];
  try {
    psa = opts.psa
      ? await openPsaEmulators(sandbox, {
          psa: opts.psa,
          seed: opts.faults?.seed,
          log: ctx.globals.debug ? (line) => ctx.debug(`sandbox: ${line}`) : undefined,
        })
      : [];
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const config = throwAwayConfigDir(ctx.env);
  try {
    const env: Record<string, string | undefined> = {
      ...ctx.env,
      ...Object.assign({}, ...psa.map(envOf)),
      SAFEWEB_BASE_URL: sandbox.url,
      SAFEWEB_PARTNER_ID: sandbox.partnerId,
      SAFEWEB_API_KEY: sandbox.apiKey,
      SAFEWEB_CONFIG_DIR: config.dir,
    };
    delete env['SAFEWEB_PROFILE'];
    ctx.sink.note(
      hint(
        `sandbox on ${sandbox.url}${psa
          .map((p) => `, ${FAR_SIDE[p.name]} emulator on ${p.emulator.url}`)
          .join('')}; running: ${opts.command.join(' ')}`,
      ),
    );
    const childExitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(program, args, { stdio: 'inherit', env });
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new UsageError(`command not found: ${program}`, 'Check the name, or give a full path.')
            : error,
        ),
      );
      child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
    return { data: undefined, childExitCode };
  } finally {
    config.remove();
    await closePsaEmulators(psa);
    await sandbox.close();
  }
}

/**
 * Where the command keeps its config and local customer record. The sandbox is thrown away,
 * and the record is keyed by partner ID at host:port, a port that is new on every run: a record
 * written into the user's config directory would only be a new orphan file per run. So the
 * command gets a temporary directory, removed afterwards — unless SAFEWEB_CONFIG_DIR was set:
 * a directory chosen on purpose (a script that inspects the record afterwards) is kept.
 */
function throwAwayConfigDir(env: Record<string, string | undefined>): { dir: string; remove(): void } {
  const chosen = env['SAFEWEB_CONFIG_DIR'];
  if (chosen) return { dir: chosen, remove: () => {} };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-sandbox-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
