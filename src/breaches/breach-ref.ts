/**
 * What a person may name a customer's breach by (a light module: `breach --help` parses with it).
 * Its instance `uuid` is the breach's identity: the status request and v1 deliveries use it. The
 * customer-breaches listing also shows an `id` that reads `<customer UUID>-<breach name>-<n>`,
 * so the customer that one belongs to is its first 36 characters.
 */
export type BreachRef = { uuid: string } | { listingId: string; customerId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The breach a command-line argument names, or undefined when it is neither form. */
export function parseBreachRef(value: string): BreachRef | undefined {
  if (UUID.test(value)) return { uuid: value };
  const prefix = value.slice(0, 36);
  if (value.length > 37 && value[36] === '-' && UUID.test(prefix)) return { listingId: value, customerId: prefix };
  return undefined;
}
