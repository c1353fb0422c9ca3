import { getCatalogueBreach } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { lines, pairs, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { CATALOGUE_FIELDS } from './columns.js';
import { layoutBreach } from './retrieve.js';

/** Exactly one of name and uuid: commander checked it, and that the UUID is one. */
export interface BreachGetOptions {
  name?: string | undefined;
  uuid?: string | undefined;
  locale?: string | undefined;
}

export async function runBreachGet(opts: BreachGetOptions, ctx: Context): Promise<Outcome> {
  const answer = await getCatalogueBreach(await ctx.api(), { name: opts.name, uuid: opts.uuid }, opts.locale);
  const { breach } = unwrapEnvelope(answer, 'breach get');
  const c = ctx.out.color;
  const layout = await layoutBreach(
    {
      title: breach.title,
      date: (breach.addedDate ?? '').slice(0, 10),
      categories: breach.breachCategories,
      description: breach.description,
      nextSteps: breach.nextSteps,
      status: c.dim(`${breach.name} · ${breach.uuid}`),
    },
    c,
    Math.min(ctx.streams.stdout.columns ?? 80, 100),
  );
  return {
    data: breach,
    // A person reads it laid out; a pipe gets key<TAB>value lines.
    view: lines(layout),
    piped: pairs(
      CATALOGUE_FIELDS.map(({ key, header }): [string, string, string] => [header, key, pipedValue(breach, key)]),
    ),
  };
}

/** One field of a catalogue entry on one line: lists joined, missing ones empty. */
function pipedValue(breach: object, key: string): string {
  const value = (breach as Record<string, unknown>)[key];
  if (Array.isArray(value)) return value.join(key === 'nextSteps' ? '; ' : ', ');
  return value === undefined || value === null ? '' : String(value);
}
