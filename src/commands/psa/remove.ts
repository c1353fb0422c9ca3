/**
 * `safeweb psa remove NAME`: takes the connection out of the settings (asking first unless
 * --yes) and deletes its secrets from the secret store (ConnectWise's private key; Autotask's
 * secret and integration code; Halo's client secret). Customers mapped to it keep it: it
 * is refused while any are, naming them, so none is left pointing nowhere.
 */
import { readIntegrations, editIntegrations, type PsaConnection } from '../../config/integrations.js';
import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { success, warn, type Note, type Outcome } from '../../outcome.js';
import { pickConnection } from '../../psa/connection.js';
import { psaKind } from '../../psa/kinds.js';
import { integrationSettingsFile } from '../../services.js';
import * as secrets from '../../config/secrets.js';

/** A connection's secret-store entries; a kind this version does not connect to has its `secret:` only. */
function secretsOf(name: string, connection: PsaConnection): Array<{ name: string; what: string }> {
  try {
    return psaKind(name, connection).secrets(connection as never);
  } catch {
    return [{ name: connection.secret, what: 'secret' }];
  }
}

export async function runPsaRemove(opts: { name: string; yes: boolean }, ctx: Context): Promise<Outcome> {
  const file = await integrationSettingsFile(ctx);
  const { settings } = await readIntegrations(file);
  const { name, settings: connection } = pickConnection(settings, opts.name, file);
  const names = Object.keys(settings.psa?.connections ?? {});
  const fallback = settings.psa?.default ?? (names.length === 1 ? names[0] : undefined);
  const mapped = Object.entries(settings.customers ?? {})
    .filter(([, c]) => c.psa && (c.psa.connection ?? fallback) === name)
    .map(([ref]) => ref);
  if (mapped.length)
    throw new UsageError(
      `PSA connection "${name}" is what ${mapped.length} customer mapping${mapped.length === 1 ? '' : 's'} use${mapped.length === 1 ? 's' : ''} (${mapped.slice(0, 10).join(', ')}${mapped.length > 10 ? ', …' : ''}); nothing was removed`,
      'Map them to another connection, or remove their psa: settings first (safeweb integrations show lists them).',
    );
  if (!opts.yes) {
    const hint = 'Pass --yes to remove it without asking.';
    if (!ctx.interactive) throw new UsageError(`removing PSA connection "${name}" needs confirmation`, hint);
    const prompter = await ctx.prompter(hint);
    const asked = `Remove PSA connection "${name}" (${'site' in connection ? connection.site : 'tenant' in connection ? connection.tenant : connection.kind}) and its ${secretsOf(
      name,
      connection,
    )
      .map((s) => `${s.what} ${s.name}`)
      .join(' and ')}?`;
    if (!(await prompter.confirm({ message: asked, default: false }))) throw new CancelledError('Nothing removed.');
  }
  await editIntegrations(
    file,
    (now) => [
      [['psa', 'connections', name], undefined],
      ...(now.psa?.default === name ? [[['psa', 'default'], undefined] as [string[], undefined]] : []),
    ],
    { command: 'safeweb psa remove' },
  );
  const notes: Note[] = [success(`Removed PSA connection "${name}" from ${file}.`)];
  const scope = await ctx.secretScope();
  const listed = scope.profile ? secrets.listSecrets(scope) : [];
  const deleted: string[] = [];
  // Each of its secrets goes too, unless another connection names the same entry.
  for (const { name: entry, what } of secretsOf(name, connection)) {
    const shared = Object.entries(settings.psa?.connections ?? {}).some(
      ([n, c]) => n !== name && secretsOf(n, c).some((s) => s.name === entry),
    );
    const stored = listed.some((s) => s.name === entry && (s.source === 'file' || s.source === 'keyring'));
    if (shared) notes.push(warn(`${entry} was kept: another connection uses it`));
    else if (stored) {
      try {
        await secrets.deleteSecret(scope, entry);
        deleted.push(entry);
        notes.push(success(`Deleted its ${what} ${entry}.`));
      } catch (error) {
        notes.push(
          warn(
            `its ${what} ${entry} could not be deleted (${(error as Error).message}); delete it with safeweb secret delete ${entry}`,
          ),
        );
      }
    } else
      notes.push(
        warn(`no stored secret ${entry} to delete (a file or credential given to a service stays where it is)`),
      );
  }
  return {
    data: { removed: name, file, secret: connection.secret, secretDeleted: deleted.includes(connection.secret) },
    notes,
  };
}
