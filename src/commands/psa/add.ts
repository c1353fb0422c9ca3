/**
 * `safeweb psa add connectwise NAME`: checks the credentials with a harmless read (/system/info)
 * before anything is saved, then (on a terminal) offers the board, statuses and priorities from
 * the live lists; stores the private key in the secret store and the rest in the settings.
 */
import type { ConnectWiseConnection } from '../../config/integrations.js';
import { deleteSecret, secretProfile, setSecret, type SecretStore } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { hint, success, type Outcome } from '../../outcome.js';
import { connectWiseApiBase } from '../../psa/connectwise/client.js';
import { connectWiseClientFor } from '../../psa/connection.js';
import { integrationSettingsFile } from '../../services.js';
import {
  checkConnectionName,
  choosePolicy,
  policyFromFlags,
  readPrivateKey,
  refuseKeyFlags,
  secretNameFor,
  type KeyFlags,
  type PolicyFlags,
} from './settings.js';

export interface PsaAddOptions extends PolicyFlags, KeyFlags {
  kind: 'connectwise';
  name: string;
  site: string;
  company: string;
  publicKey: string;
  clientId: string;
  /** Where the private key is kept: the secret store's file (default) or the OS keychain. */
  store: SecretStore;
  /** Make it psa.default (the first connection is, without asking). */
  makeDefault: boolean;
}

export async function runPsaAdd(opts: PsaAddOptions, ctx: Context): Promise<Outcome> {
  refuseKeyFlags(opts.keyGiven);
  const name = checkConnectionName(opts.name);
  connectWiseApiBase(opts.site); // a site that is no site is exit 2 before anything is asked
  const file = await integrationSettingsFile(ctx);
  const { readIntegrations, editIntegrations } = await import('../../config/integrations.js');
  const exists = (connections: Record<string, unknown> | undefined) => {
    if (connections?.[name])
      throw new UsageError(
        `PSA connection "${name}" exists already (in ${file})`,
        `Change it with \`safeweb psa set ${name} …\`, or remove it first: safeweb psa remove ${name}`,
      );
  };
  exists((await readIntegrations(file)).settings.psa?.connections);
  const scope = await ctx.secretScope();
  const profile = secretProfile(scope);
  const base: ConnectWiseConnection = {
    kind: 'connectwise',
    site: opts.site.trim(),
    company: opts.company,
    publicKey: opts.publicKey,
    clientId: opts.clientId,
    secret: secretNameFor(name),
  };
  const privateKey = await readPrivateKey(opts, name, ctx);
  const client = connectWiseClientFor(name, base, privateKey, await ctx.clients.psaHttp());
  const { version } = await client.systemInfo();
  const connection: ConnectWiseConnection = {
    ...base,
    ...(await choosePolicy(client, name, policyFromFlags(opts), ctx)),
  };

  const saved = await setSecret(scope, base.secret, privateKey, { store: opts.store, now: ctx.now() });
  let isDefault = false;
  try {
    await editIntegrations(
      file,
      (current) => {
        exists(current.psa?.connections);
        isDefault = opts.makeDefault || current.psa?.default === undefined;
        return [
          [['psa', 'connections', name], connection],
          ...(isDefault ? [[['psa', 'default'], name] as [string[], string]] : []),
        ];
      },
      { command: 'safeweb psa add' },
    );
  } catch (error) {
    // The connection was not saved: a key stored for it alone goes too.
    if (!saved.replaced) await deleteSecret(scope, base.secret).catch(() => undefined);
    throw error;
  }
  const where = opts.store === 'keyring' ? 'the OS keychain' : saved.file;
  const unset = [
    connection.board === undefined && '--board',
    connection.statuses?.new === undefined && '--new-status',
    connection.statuses?.closed === undefined && '--closed-status',
  ].filter(Boolean);
  return {
    data: { name, ...connection, default: isDefault, profile, version, file },
    notes: [
      success(
        `Added ConnectWise connection "${name}"${isDefault ? ' (the default)' : ''}: ${connection.site} answered (${version}). ` +
          `Private key stored as ${base.secret} in ${where}; settings in ${file}.`,
      ),
      ...(unset.length
        ? [hint(`Tickets need ${unset.join(', ')}: safeweb psa set ${name} ${unset.map((f) => `${f} …`).join(' ')}`)]
        : [hint(`Try it with a test ticket: safeweb psa test ${name}`)]),
    ],
  };
}
