import { getCatalogueBreach } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { UUID_RE } from '../../customers/ledger.js';
import { UsageError } from '../../errors.js';
import { layoutBreach } from './retrieve.js';

export interface BreachGetOptions {
  name?: string | undefined;
  uuid?: string | undefined;
  locale?: string | undefined;
}

export async function runBreachGet(opts: BreachGetOptions, ctx: Context): Promise<void> {
  if ((opts.name === undefined) === (opts.uuid === undefined))
    throw new UsageError('give exactly one of --name and --uuid', 'For example: safeweb breach get --name Adobe');
  if (opts.uuid !== undefined && !UUID_RE.test(opts.uuid)) throw new UsageError(`--uuid "${opts.uuid}" is not a UUID`);
  if (opts.name !== undefined && opts.name.trim() === '') throw new UsageError('--name must not be empty');
  const { breach } = await getCatalogueBreach(await ctx.api(), { name: opts.name, uuid: opts.uuid }, opts.locale);
  if (ctx.globals.json) {
    ctx.out.printJson({ success: true, breach });
    return;
  }
  if (ctx.streams.stdout.isTTY) {
    const c = ctx.out.color;
    ctx.out.line(
      await layoutBreach(
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
      ),
    );
    return;
  }
  await ctx.out.printPairs([
    ['UUID', 'uuid', breach.uuid],
    ['Name', 'name', breach.name],
    ['Title', 'title', breach.title],
    ['Added', 'addedDate', breach.addedDate ?? ''],
    ['Categories', 'breachCategories', breach.breachCategories.join(', ')],
    ['Description', 'description', breach.description ?? ''],
    ['Next steps', 'nextSteps', (breach.nextSteps ?? []).join('; ')],
  ]);
}
