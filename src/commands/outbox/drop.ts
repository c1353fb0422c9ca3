import type { Context } from '../../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { marked, warn, type Outcome } from '../../outcome.js';
import { openOutbox } from './open.js';

export interface OutboxDropOptions {
  keys: string[];
  yes: boolean;
}

export async function runOutboxDrop(opts: OutboxDropOptions, ctx: Context): Promise<Outcome<{ dropped: string[] }>> {
  const { outbox, account } = await openOutbox(ctx, 'drop');
  const held = outbox.read();
  const unknown = opts.keys.filter((k) => !held.has(k) || held.get(k)!.dropped);
  if (unknown.length === opts.keys.length)
    throw new UsageError(
      `the outbox of ${account} holds none of ${opts.keys.join(', ')}`,
      'See the keys with `safeweb outbox status --json` or `safeweb findings`.',
    );
  if (!opts.yes) {
    const what = `${opts.keys.length - unknown.length} item(s) from the outbox of ${account}`;
    if (!ctx.interactive)
      throw new UsageError(`dropping ${what} needs confirmation`, 'Pass --yes to drop them without asking.');
    const prompter = await ctx.prompter('Pass --yes to drop them without asking.');
    if (!(await prompter.confirm({ message: `Drop ${what}? No sink will act on them.`, default: false })))
      throw new CancelledError('Nothing dropped.');
  }
  const dropped = await outbox.drop(opts.keys);
  return {
    data: { dropped },
    view: marked(
      `Dropped from the outbox: ${dropped.length}`,
      dropped.map((key) => ({ mark: '-', text: key })),
    ),
    notes: unknown.map((k) => warn(`${k} is not in the outbox; nothing done for it`)),
  };
}
