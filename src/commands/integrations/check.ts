/**
 * `safeweb integrations check`: reads and validates the settings (or a manifest's); a problem
 * anywhere is exit 2 with every problem listed, each with its path, line and column.
 */
import type { Context } from '../../context.js';
import { success, type Outcome } from '../../outcome.js';
import { integrationSettings as readSource } from '../../services.js';

interface CheckData {
  file: string;
  valid: true;
  connections: number;
  channels: number;
  routes: number;
  customers: number;
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function runIntegrationsCheck(
  opts: { file?: string | undefined },
  ctx: Context,
): Promise<Outcome<CheckData>> {
  const { file, exists, settings } = await readSource(opts, ctx);
  const data: CheckData = {
    file,
    valid: true,
    connections: Object.keys(settings.psa?.connections ?? {}).length,
    channels: Object.keys(settings.notify?.channels ?? {}).length,
    routes: settings.notify?.routes?.length ?? 0,
    customers: Object.keys(settings.customers ?? {}).length,
  };
  const what = [
    count(data.connections, 'PSA connection'),
    count(data.channels, 'channel'),
    count(data.routes, 'route'),
    count(data.customers, 'customer setting'),
  ].join(', ');
  return {
    data,
    notes: [success(exists ? `${file} is valid: ${what}.` : `${file} does not exist yet: nothing is configured.`)],
  };
}
