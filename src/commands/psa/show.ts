/**
 * `safeweb psa show [NAME]`: one connection's settings, its ticket policy with the defaults
 * applied, and where its private key lives (never the key: nothing is read from the store).
 */
import { PRIORITY_BANDS } from '../../config/integrations-schema.js';
import type { Context } from '../../context.js';
import { pairs, type Cell, type Outcome } from '../../outcome.js';
import { asConnectWise, pickConnection } from '../../psa/connection.js';
import { connectWiseApiBase } from '../../psa/connectwise/client.js';
import { integrationSettingsFile } from '../../services.js';

const SOURCE = {
  env: 'a file named by',
  credentials: 'the credentials directory:',
  keyring: 'the OS keychain:',
  file: '',
};

export async function runPsaShow(opts: { name?: string | undefined }, ctx: Context): Promise<Outcome> {
  const file = await integrationSettingsFile(ctx);
  const [{ readIntegrations, connectWisePolicy }, { listSecrets, secretVariable }] = await Promise.all([
    import('../../config/integrations.js'),
    import('../../config/secrets.js'),
  ]);
  const { settings } = await readIntegrations(file);
  const picked = pickConnection(settings, opts.name, file);
  const connection = asConnectWise(picked.name, picked.settings);
  const policy = connectWisePolicy(connection);
  const names = Object.keys(settings.psa?.connections ?? {});
  const isDefault =
    settings.psa?.default === picked.name || (settings.psa?.default === undefined && names.length === 1);
  const found = listSecrets(await ctx.secretScope()).find((s) => s.name === connection.secret && s.inEffect);
  const secret = found
    ? { name: connection.secret, stored: true, source: found.source, location: found.location }
    : { name: connection.secret, stored: false };
  const where = found
    ? `${connection.secret}, in ${SOURCE[found.source]} ${found.location}`.replace(/ {2,}/g, ' ')
    : `${connection.secret}: not stored (safeweb psa set ${picked.name} --private-key-stdin, or ${secretVariable(connection.secret)})`;
  const rows: Array<[string, string, Cell]> = [
    ['Name', 'name', picked.name],
    ['Default', 'default', isDefault ? 'yes' : 'no'],
    ['Kind', 'kind', 'ConnectWise'],
    ['Site', 'site', connection.site],
    ['API', 'api', connectWiseApiBase(connection.site).href],
    ['Company', 'company', connection.company],
    ['Public key', 'publicKey', connection.publicKey],
    ['Client ID', 'clientId', connection.clientId],
    ['Private key', 'secret', where],
    ['Board', 'board', connection.board ?? '(not set)'],
    ['New status', 'statuses.new', connection.statuses?.new ?? '(not set)'],
    ['Closed status', 'statuses.closed', connection.statuses?.closed ?? '(not set)'],
    ...PRIORITY_BANDS.map((band): [string, string, Cell] => [
      `Priority ${band}`,
      `priorities.${band}`,
      connection.priorities?.[band] ?? '(ConnectWise default)',
    ]),
    ['Source', 'source', connection.source ?? '(none)'],
    ['Type', 'type', connection.type ?? '(none)'],
    ['Grouping', 'grouping', policy.grouping],
    ['Reopen within', 'reopenDays', `${policy.reopenDays} days`],
    ['Resolve on close', 'resolveOnClose', policy.resolveOnClose ? 'yes' : 'no'],
    ['On offboarding', 'offboard', policy.offboard === 'close' ? 'close its tickets' : 'leave its tickets'],
    ['Fallback company', 'fallbackCompany', connection.fallbackCompany ?? '(none: psa plan lists unmapped customers)'],
    ['Mask addresses', 'mask', policy.mask ? 'yes' : 'no'],
  ];
  return {
    data: { name: picked.name, default: isDefault, file, settings: connection, policy, secret },
    view: pairs(rows),
  };
}
