import type { ApiClient } from '../../api/client.js';
import type { Context } from '../../context.js';
import { resolveCustomerArg, type LedgerEntry } from '../../customers/ledger.js';

export interface CustomerTarget {
  api: ApiClient;
  id: string;
  /** What the local record knows of the customer, if anything. */
  entry: LedgerEntry | undefined;
  account: { key: string; profile: string | undefined };
}

/** The API client and the customer ID for an ID-or-reference argument (no request is sent). */
export async function customerTarget(ctx: Context, arg: string): Promise<CustomerTarget> {
  const api = await ctx.api();
  const account = await ctx.account();
  const { id, entry } = resolveCustomerArg(ctx.configDir, account.key, arg);
  return { api, id, entry, account };
}

/** "Acme (ACME-001)" when the ledger knows the customer, else its ID. */
export function describeCustomer(target: Pick<CustomerTarget, 'id' | 'entry'>): string {
  return target.entry ? `${target.entry.companyName} (${target.entry.reference})` : target.id;
}
