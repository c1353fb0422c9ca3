/** `safeweb psa list`: the PSA connections of the profile, one a row; never a secret (the settings hold none). */
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { integrationSettingsFile } from '../../services.js';
import { PSA_COLUMNS } from './columns.js';
import { readIntegrations } from '../../config/integrations.js';

export async function runPsaList(ctx: Context): Promise<Outcome> {
  const file = await integrationSettingsFile(ctx);
  const { settings } = await readIntegrations(file);
  const fallback = settings.psa?.default;
  const entries = Object.entries(settings.psa?.connections ?? {});
  // The only connection is the one used when none is named, default or not.
  const isDefault = (name: string) => name === fallback || (fallback === undefined && entries.length === 1);
  const data = entries.map(([name, c]) => ({ name, default: isDefault(name), ...c }));
  return {
    data,
    view: table(
      PSA_COLUMNS,
      data.map((c) => [
        c.name,
        c.default ? 'yes' : '',
        c.kind,
        'site' in c ? c.site : 'tenant' in c ? c.tenant : 'zone' in c ? (c.zone ?? '') : '',
        'company' in c ? c.company : 'username' in c ? c.username : c.kind === 'halo' ? c.clientId : '',
        c.kind === 'halo' ? (c.ticketType ?? '') : 'board' in c ? (c.board ?? '') : 'queue' in c ? (c.queue ?? '') : '',
        c.secret,
      ]),
      `No PSA connections yet (${file}). Add one: safeweb psa add connectwise NAME --site HOST --company ID --public-key KEY --client-id ID`,
    ),
  };
}
