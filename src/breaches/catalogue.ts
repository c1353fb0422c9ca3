/** One breach of the global catalogue, by name or UUID: `breach get` and MCP's breach_lookup. */
import { getCatalogueBreach, type CatalogueBreach } from '../api/breaches.js';
import type { ApiClient } from '../api/client.js';
import { unwrapEnvelope } from '../api/envelope.js';

/** The catalogue entry itself (not the API's envelope); exactly one of name and uuid. */
export async function lookupBreach(
  api: ApiClient,
  which: { name?: string | undefined; uuid?: string | undefined },
  locale?: string,
): Promise<CatalogueBreach> {
  return unwrapEnvelope(await getCatalogueBreach(api, which, locale), 'breach get').breach;
}
