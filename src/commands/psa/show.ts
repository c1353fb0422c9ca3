/**
 * `safeweb psa show [NAME]`: one connection's settings, its ticket policy with the defaults
 * applied, and where its secrets live (never a secret: nothing is read from the store).
 */
import { PRIORITY_BANDS } from '../../config/integrations-schema.js';
import type { Context } from '../../context.js';
import { pairs, type Cell, type Outcome } from '../../outcome.js';
import {
  readIntegrations,
  type AutotaskConnection,
  type ConnectWiseConnection,
  type HaloConnection,
} from '../../config/integrations.js';
import { autotaskApiBase } from '../../psa/autotask/client.js';
import { pickConnection } from '../../psa/connection.js';
import { connectWiseApiBase } from '../../psa/connectwise/client.js';
import { haloApiBase } from '../../psa/halo/client.js';
import { integrationCodeSecret, psaKind } from '../../psa/kinds.js';
import { integrationSettingsFile } from '../../services.js';
import { listSecrets, secretVariable } from '../../config/secrets.js';

const SOURCE = {
  env: 'a file named by',
  credentials: 'the credentials directory:',
  keyring: 'the OS keychain:',
  file: '',
};

export async function runPsaShow(opts: { name?: string | undefined }, ctx: Context): Promise<Outcome> {
  const file = await integrationSettingsFile(ctx);
  const { settings } = await readIntegrations(file);
  const picked = pickConnection(settings, opts.name, file);
  const kind = psaKind(picked.name, picked.settings);
  const connection = picked.settings;
  const policy = kind.policy(connection as never);
  const names = Object.keys(settings.psa?.connections ?? {});
  const isDefault =
    settings.psa?.default === picked.name || (settings.psa?.default === undefined && names.length === 1);
  const listed = listSecrets(await ctx.secretScope());
  const locate = (secretName: string, flag: string) => {
    const found = listed.find((s) => s.name === secretName && s.inEffect);
    return {
      data: found
        ? { name: secretName, stored: true, source: found.source, location: found.location }
        : { name: secretName, stored: false },
      text: found
        ? `${secretName}, in ${SOURCE[found.source]} ${found.location}`.replace(/ {2,}/g, ' ')
        : `${secretName}: not stored (safeweb psa set ${picked.name} ${flag}, or ${secretVariable(secretName)})`,
    };
  };
  const secret = locate(
    connection.secret,
    connection.kind === 'connectwise' ? '--private-key-stdin' : '--secret-stdin',
  );
  const word = kind.words.board;
  const boardKey = { connectwise: 'board', autotask: 'queue', halo: 'ticketType' }[connection.kind];
  const policyRows: Array<[string, string, Cell]> = [
    [`${word[0]!.toUpperCase()}${word.slice(1)}`, boardKey, policy.board ?? '(not set)'],
    ['New status', 'statuses.new', policy.statuses?.new ?? '(not set)'],
    ['Closed status', 'statuses.closed', policy.statuses?.closed ?? '(not set)'],
    ...PRIORITY_BANDS.map((band): [string, string, Cell] => [
      `Priority ${band}`,
      `priorities.${band}`,
      policy.priorities?.[band] ?? `(${kind.farSide} default)`,
    ]),
    ['Source', 'source', policy.source ?? '(none)'],
    // Halo's ticket type is the board: it has no type beside it.
    ...(connection.kind === 'halo'
      ? []
      : [
          ['Type', connection.kind === 'autotask' ? 'ticketType' : 'type', policy.type ?? '(none)'] as [
            string,
            string,
            Cell,
          ],
        ]),
    ['Grouping', 'grouping', policy.grouping],
    ['Reopen within', 'reopenDays', `${policy.reopenDays} days`],
    ['Resolve on close', 'resolveOnClose', policy.resolveOnClose ? 'yes' : 'no'],
    ['On offboarding', 'offboard', policy.offboard === 'close' ? 'close its tickets' : 'leave its tickets'],
    ['Fallback company', 'fallbackCompany', policy.fallbackCompany ?? '(none: psa plan lists unmapped customers)'],
    ['Mask addresses', 'mask', policy.mask ? 'yes' : 'no'],
  ];
  const head: Array<[string, string, Cell]> = [
    ['Name', 'name', picked.name],
    ['Default', 'default', isDefault ? 'yes' : 'no'],
    ['Kind', 'kind', kind.farSide],
  ];
  if (connection.kind === 'autotask') {
    const at: AutotaskConnection = connection;
    const code = locate(integrationCodeSecret(at), '--integration-code-file FILE');
    const rows: Array<[string, string, Cell]> = [
      ...head,
      ['User name', 'username', at.username],
      ['Zone', 'zone', at.zone ?? '(looked up from the user name at each run)'],
      ['API', 'api', at.zone ? autotaskApiBase(at.zone).href : '(the zone’s)'],
      ['Secret', 'secret', secret.text],
      ['Integration code', 'integrationCode', code.text],
      ...policyRows,
      ['Budget', 'maxPerHour', `${at.maxPerHour ?? kind.defaultPerHour} requests an hour`],
    ];
    return {
      data: {
        name: picked.name,
        default: isDefault,
        file,
        settings: connection,
        policy,
        secret: secret.data,
        integrationCode: code.data,
      },
      view: pairs(rows),
    };
  }
  if (connection.kind === 'halo') {
    const halo: HaloConnection = connection;
    const rows: Array<[string, string, Cell]> = [
      ...head,
      ['Tenant', 'tenant', halo.tenant],
      ['API', 'api', haloApiBase(halo.tenant).href],
      ['Client ID', 'clientId', halo.clientId],
      ['Client secret', 'secret', secret.text],
      ...policyRows,
    ];
    return {
      data: { name: picked.name, default: isDefault, file, settings: connection, policy, secret: secret.data },
      view: pairs(rows),
    };
  }
  const cw = connection as ConnectWiseConnection;
  const rows: Array<[string, string, Cell]> = [
    ...head,
    ['Site', 'site', cw.site],
    ['API', 'api', connectWiseApiBase(cw.site).href],
    ['Company', 'company', cw.company],
    ['Public key', 'publicKey', cw.publicKey],
    ['Client ID', 'clientId', cw.clientId],
    ['Private key', 'secret', secret.text],
    ...policyRows,
  ];
  return {
    data: { name: picked.name, default: isDefault, file, settings: connection, policy, secret: secret.data },
    view: pairs(rows),
  };
}
