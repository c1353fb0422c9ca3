/**
 * What the book knows of a customer, for a message about it: its name, contact address and locale
 * from the local record (what onboarding sent: an imported customer has none of these), and its
 * threat score and band from the freshest read there is — this run's reads, else the state the
 * last `notify send` kept. A sender (`notify send`, the receiver) builds one view per run.
 */
import type { BookEvent } from '../findings/event.js';
import { readRecord } from '../customers/local-record.js';
import type { CustomerRead } from '../portfolio/book.js';
import { bandOf } from '../portfolio/exposure.js';
import type { WatchState } from '../portfolio/watch-state.js';
import type { EventContext } from './notice.js';
import type { PlanView } from './plan.js';

interface Known {
  customerName?: string | undefined;
  contact?: string | undefined;
  locale?: string | undefined;
  band?: EventContext['band'];
  threatScore?: number | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** The view of an account's book: the local record, then a saved state, then this run's reads, the later winning. */
export function bookView(
  configDir: string,
  account: string,
  sources: { state?: WatchState | undefined; reads?: readonly CustomerRead[] | undefined } = {},
): Omit<PlanView, 'settings'> {
  const known = new Map<string, Known>();
  const put = (reference: string, more: Known) => known.set(reference, { ...known.get(reference), ...more });
  for (const entry of readRecord(configDir, account).customers)
    put(entry.reference, {
      customerName: entry.companyName,
      contact: text(entry.fields?.['contactEmail']),
      locale: text(entry.fields?.['localeCode']),
    });
  for (const saved of Object.values(sources.state?.customers ?? {}))
    put(saved.reference, { band: saved.band, threatScore: saved.threatScore, customerName: saved.companyName });
  for (const read of sources.reads ?? [])
    if (read.snapshot)
      put(read.entry.reference, { band: bandOf(read.snapshot.threatScore), threatScore: read.snapshot.threatScore });
  return {
    context(event: BookEvent): EventContext | undefined {
      const k = known.get(event.reference);
      if (!k) return undefined;
      return { customerName: k.customerName, band: k.band, threatScore: k.threatScore, locale: k.locale };
    },
    contact: (reference) => known.get(reference)?.contact,
  };
}
