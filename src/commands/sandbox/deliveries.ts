import { pathFor } from '../../api/paths.js';
import type { Context } from '../../context.js';
import type { DeliveryRecord } from '../../sandbox/state.js';

export type SandboxDeliveriesOptions = Record<string, never>;

/** The sandbox's log of webhook deliveries, read from the running sandbox the profile points at. */
export async function runSandboxDeliveries(_opts: SandboxDeliveriesOptions, ctx: Context): Promise<void> {
  const api = await ctx.api();
  const res = await api.request<{ success: boolean; deliveries: DeliveryRecord[] }>({
    method: 'GET',
    path: pathFor('sandboxDeliveries'),
  });
  if (ctx.globals.json) {
    ctx.out.printJson(res.data);
    return;
  }
  await ctx.out.printRows(
    [
      { header: 'ID' },
      { header: 'Event' },
      { header: 'Endpoint', wrap: true },
      { header: 'Status' },
      { header: 'Attempts', wrap: true },
      { header: 'Created' },
    ],
    res.data.deliveries.map((d) => [
      d.id,
      d.event,
      d.url,
      d.status,
      d.attempts.map((a) => (a.status !== undefined ? String(a.status) : 'timeout/error')).join(', '),
      d.created_at,
    ]),
    'No deliveries yet: create an endpoint with `safeweb webhook create`, then onboard a customer or resolve a breach.',
  );
}
