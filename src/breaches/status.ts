/** Marking a customer's breach resolved or not: `breach resolve` / `unresolve` and MCP's breach_resolve. */
import { setBreachResolved } from '../api/breaches.js';
import type { ApiClient } from '../api/client.js';
import { unwrapEnvelope } from '../api/envelope.js';
import { readCustomerBreaches } from '../customers/reads.js';
import { IncompleteAnswerError, UsageError } from '../errors.js';
import { success, type Outcome } from '../outcome.js';

/**
 * The breach's `uuid`, found among the customer's breaches (one read) by either of its IDs.
 * Not there: exit 2 naming the customer and how to list its breaches.
 */
export async function breachUuidOf(
  api: ApiClient,
  customer: { id: string; label: string; arg: string },
  given: string,
): Promise<string> {
  const breaches = await readCustomerBreaches(api, customer.id);
  const wanted = given.toLowerCase();
  const found = breaches.find((b) => b.id?.toLowerCase() === wanted || b.uuid?.toLowerCase() === wanted);
  if (!found)
    throw new UsageError(
      `no breach "${given}" among the ${breaches.length} breach(es) of ${customer.label}`,
      `List them with \`safeweb customer breaches ${customer.arg}\` (the Breach ID column, .[].uuid with --json).`,
    );
  // Only the uuid is accepted by the status request: without it there is nothing to send.
  if (!found.uuid) throw new IncompleteAnswerError(`GET breaches of ${customer.id}`, `the uuid of breach ${given}`);
  return found.uuid;
}

/**
 * The same request with a different flag; the data is what the API now says. `customerId`, when
 * known, is the customer its audit entry names (the request itself names only the breach).
 */
export async function setBreachStatus(
  api: ApiClient,
  breachId: string,
  resolved: boolean,
  customerId?: string,
): Promise<Outcome<{ breachId: string; resolved: boolean }>> {
  const result = unwrapEnvelope(await setBreachResolved(api, breachId, resolved, customerId), 'breach status');
  return {
    data: { breachId, resolved: result.resolved },
    notes: [success(`Breach ${breachId} is now marked ${result.resolved ? 'resolved' : 'unresolved'}.`)],
  };
}
