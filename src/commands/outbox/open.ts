import type { Context } from '../../context.js';
import { Outbox } from '../../findings/outbox.js';

/** The outbox of the account in use (the profile's partner and base URL; no API key needed). */
export async function openOutbox(ctx: Context, verb: string): Promise<{ outbox: Outbox; account: string }> {
  const account = await ctx.account();
  const outbox = new Outbox({
    configDir: ctx.configDir,
    account: account.key,
    now: ctx.now,
    command: `safeweb outbox ${verb}`,
  });
  return { outbox, account: account.key };
}
