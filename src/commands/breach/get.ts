import { getCatalogueBreach } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { lines, pairs, type Outcome } from '../../outcome.js';
import { layoutBreach } from './retrieve.js';

/** Exactly one of name and uuid: commander checked it, and that the UUID is one. */
export interface BreachGetOptions {
  name?: string | undefined;
  uuid?: string | undefined;
  locale?: string | undefined;
}

export async function runBreachGet(opts: BreachGetOptions, ctx: Context): Promise<Outcome> {
  const { breach } = await getCatalogueBreach(await ctx.api(), { name: opts.name, uuid: opts.uuid }, opts.locale);
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
    data: { success: true, breach },
    // A person reads it laid out; a pipe gets key<TAB>value lines.
    view: lines(layout),
    piped: pairs([
      ['UUID', 'uuid', breach.uuid],
      ['Name', 'name', breach.name],
      ['Title', 'title', breach.title],
      ['Added', 'addedDate', breach.addedDate ?? ''],
      ['Categories', 'breachCategories', breach.breachCategories.join(', ')],
      ['Description', 'description', breach.description ?? ''],
      ['Next steps', 'nextSteps', (breach.nextSteps ?? []).join('; ')],
    ]),
  };
}
