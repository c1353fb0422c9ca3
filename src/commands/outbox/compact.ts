import type { Context } from '../../context.js';
import { success, type Outcome } from '../../outcome.js';
import { openOutbox } from './open.js';

export async function runOutboxCompact(
  opts: { retainMs: number },
  ctx: Context,
): Promise<Outcome<{ kept: number; removed: number }>> {
  const { outbox } = await openOutbox(ctx, 'compact');
  const result = await outbox.compact(opts.retainMs);
  return {
    data: result,
    notes: [success(`Compacted the outbox: ${result.removed} finished item(s) removed, ${result.kept} kept.`)],
  };
}
