import { listSecrets } from '../../config/secrets.js';
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { SECRET_COLUMNS } from './columns.js';

const SOURCE_LABEL = {
  env: 'variable',
  credentials: 'credentials dir',
  keyring: 'keychain',
  file: 'file',
} as const;

/** Names and where each lives; nothing is read from the keychain, and no value is shown. */
export async function runSecretList(ctx: Context): Promise<Outcome> {
  const rows = listSecrets(await ctx.secretScope());
  return {
    data: rows,
    view: table(
      SECRET_COLUMNS,
      rows.map((r) => [r.name, SOURCE_LABEL[r.source], r.inEffect ? 'yes' : 'shadowed', r.location, r.updated ?? '']),
      'No secrets yet. Store one with `safeweb secret set KIND/NAME`.',
    ),
  };
}
