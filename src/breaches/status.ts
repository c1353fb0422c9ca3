/** Marking a customer's breach resolved or not: `breach resolve` / `unresolve` and MCP's breach_resolve. */
import { setBreachResolved } from '../api/breaches.js';
import type { ApiClient } from '../api/client.js';
import { unwrapEnvelope } from '../api/envelope.js';
import { success, type Outcome } from '../outcome.js';

/** The same request with a different flag; the data is what the API now says. */
export async function setBreachStatus(
  api: ApiClient,
  breachId: string,
  resolved: boolean,
): Promise<Outcome<{ breachId: string; resolved: boolean }>> {
  const result = unwrapEnvelope(await setBreachResolved(api, breachId, resolved), 'breach status');
  return {
    data: { breachId, resolved: result.resolved },
    notes: [success(`Breach ${breachId} is now marked ${result.resolved ? 'resolved' : 'unresolved'}.`)],
  };
}
