/** `safeweb integrations show`: the settings as data (--json) or as one row per thing configured. */
import type { Context } from '../../context.js';
import type { Integrations } from '../../config/integrations.js';
import { table, type Cell, type Outcome } from '../../outcome.js';
import { integrationSettings as readSource, type IntegrationSource as Source } from '../../services.js';

const detail = (parts: object): string =>
  Object.entries(parts)
    .filter(([k, v]) => v !== undefined && k !== 'kind')
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join('; ');

function rows(settings: Integrations): Cell[][] {
  const out: Cell[][] = [];
  const fallback = settings.psa?.default;
  for (const [name, c] of Object.entries(settings.psa?.connections ?? {}))
    out.push(['psa', name === fallback ? `${name} (default)` : name, c.kind, detail(c)]);
  for (const [name, c] of Object.entries(settings.notify?.channels ?? {}))
    out.push(['channel', name, c.kind, detail(c)]);
  (settings.notify?.routes ?? []).forEach((r, i) =>
    out.push([
      'route',
      `#${i + 1}`,
      '',
      detail({ events: r.events ?? 'all', bands: r.bands, tags: r.tags, to: r.channels }),
    ]),
  );
  for (const [ref, c] of Object.entries(settings.customers ?? {}))
    out.push(['customer', ref, c.psa?.connection ?? '', detail({ tags: c.tags, ...c.psa, connection: undefined })]);
  return out;
}

export async function runIntegrationsShow(opts: { file?: string | undefined }, ctx: Context): Promise<Outcome<Source>> {
  const source = await readSource(opts, ctx);
  const empty = source.exists
    ? `Nothing is configured in ${source.file}.`
    : `No integration settings yet (${source.file} does not exist).`;
  return {
    data: source,
    view: table(
      [
        { header: 'WHAT', key: 'what' },
        { header: 'NAME', key: 'name' },
        { header: 'KIND', key: 'kind' },
        { header: 'SETTINGS', key: 'settings', wrap: true },
      ],
      rows(source.settings),
      empty,
    ),
  };
}
