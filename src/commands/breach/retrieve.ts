import { retrieveBreaches, type RetrievedBreach } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { emailProblem } from '../../customers/onboarding.js';
import { UsageError } from '../../errors.js';
import type { Colors } from '../../output/color.js';

export interface BreachRetrieveOptions {
  email: string;
  locale?: string | undefined;
}

/** A breach laid out for reading: heading, categories, wrapped description, next steps. */
export async function layoutBreach(
  b: {
    title: string;
    date: string;
    categories: string[];
    description?: string | undefined;
    nextSteps?: string[] | undefined;
    status?: string | undefined;
  },
  c: Colors,
  width: number,
): Promise<string> {
  const { default: wrapAnsi } = await import('wrap-ansi');
  const wrap = (text: string, indent: string) =>
    wrapAnsi(text, Math.max(30, width - indent.length), { hard: true })
      .split('\n')
      .map((l) => `${indent}${l}`)
      .join('\n');
  const lines = [`${c.bold(b.title)}  ${c.dim(b.date)}${b.status ? `  ${b.status}` : ''}`];
  if (b.categories.length) lines.push(wrap(`Exposed: ${b.categories.join(', ')}`, '  '));
  if (b.description) lines.push(wrap(b.description, '  '));
  if (b.nextSteps?.length) {
    lines.push('  Next steps:');
    for (const step of b.nextSteps) lines.push(wrap(`• ${step}`, '    '));
  }
  return lines.join('\n');
}

export async function runBreachRetrieve(opts: BreachRetrieveOptions, ctx: Context): Promise<void> {
  const problem = emailProblem(opts.email);
  if (problem) throw new UsageError(problem, 'Nothing was sent.');
  if (opts.locale !== undefined && !/^[a-z]{2}-[A-Z]{2}$/.test(opts.locale))
    throw new UsageError(`--locale must look like en-GB or da-DK (got "${opts.locale}")`);
  const result = await retrieveBreaches(await ctx.api(), opts.email, opts.locale);
  if (ctx.globals.json) {
    ctx.out.printJson(result);
    return;
  }
  if (!ctx.streams.stdout.isTTY) {
    for (const b of result.breaches)
      ctx.out.line(
        [b.title, b.breachDate, b.breachCategories.join(', '), b.resolvedStatus ? 'resolved' : 'unresolved'].join('\t'),
      );
    if (!result.breaches.length) ctx.out.info(`No known breaches for ${opts.email}.`);
    return;
  }
  const c = ctx.out.color;
  if (!result.breaches.length) {
    ctx.out.line(`${c.green('✓')} No known breaches for ${opts.email}.`);
    return;
  }
  ctx.out.line(
    `${c.bold(opts.email)} appears in ${result.breaches.length} breach${result.breaches.length === 1 ? '' : 'es'}:\n`,
  );
  const width = Math.min(ctx.streams.stdout.columns ?? 80, 100);
  const blocks = await Promise.all(
    result.breaches.map((b: RetrievedBreach) =>
      layoutBreach(
        {
          title: b.title,
          date: b.breachDate.slice(0, 10),
          categories: b.breachCategories,
          description: b.description,
          nextSteps: b.nextSteps,
          status: b.resolvedStatus ? c.green('resolved') : c.yellow('unresolved'),
        },
        c,
        width,
      ),
    ),
  );
  ctx.out.line(blocks.join('\n\n'));
}
