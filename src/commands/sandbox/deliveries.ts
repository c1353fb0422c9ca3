import { pathFor } from '../../api/paths.js';
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import type { DeliveryRecord } from '../../sandbox/state.js';

export type SandboxDeliveriesOptions = Record<string, never>;

/** The sandbox's log of webhook deliveries, read from the running sandbox the profile points at. */
export async function runSandboxDeliveries(_opts: SandboxDeliveriesOptions, ctx: Context): Promise<Outcome> {
  const api = await ctx.api();
  const res = await api.request<{ success: boolean; deliveries: DeliveryRecord[] }>({
    method: 'GET',
    path: pathFor('sandboxDeliveries'),
  });
  return {
    data: res.data.deliveries,
    view: table(
      [
        { key: 'id', header: 'ID' },
        { key: 'event', header: 'Event' },
        { key: 'url', header: 'Endpoint', wrap: true },
        { key: 'status', header: 'Status' },
        { key: 'attempts', header: 'Attempts' },
        { key: 'answers', header: 'Answers', wrap: true },
        { key: 'created_at', header: 'Created' },
      ],
      res.data.deliveries.map((d) => [
        d.id,
        d.event,
        d.url,
        d.status,
        // How many, under Attempts; what each got, under Answers.
        d.attempts.length,
        // A 2xx that was not accepted (v1: no valid answer signature) says so.
        d.attempts
          .map((a) => (a.status === undefined ? 'timeout/error' : `${a.status}${a.error ? ' (not accepted)' : ''}`))
          .join(', '),
        d.created_at,
      ]),
      'No deliveries yet: create an endpoint with `safeweb webhook create`, then onboard a customer or resolve a breach.',
    ),
  };
}
