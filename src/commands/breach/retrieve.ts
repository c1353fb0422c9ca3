import { retrieveBreaches, type RetrievedBreach } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { emailProblem } from '../../customers/field-checks.js';
import { UsageError } from '../../errors.js';
import { lines, table, type Outcome, type View } from '../../outcome.js';
import type { Colors } from '../../output/color.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { RETRIEVE_COLUMNS } from './columns.js';

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

export async function runBreachRetrieve(opts: BreachRetrieveOptions, ctx: Context): Promise<Outcome> {
  const problem = emailProblem(opts.email);
  if (problem) throw new UsageError(problem, 'Nothing was sent.');
  const result = unwrapEnvelope(await retrieveBreaches(await ctx.api(), opts.email, opts.locale), 'breach retrieve');
  const piped = table(
    RETRIEVE_COLUMNS,
    result.breaches.map((b) => [
      b.title,
      b.breachDate,
      b.breachCategories.join(', '),
      b.resolvedStatus ? 'resolved' : 'unresolved',
    ]),
    `No known breaches for ${opts.email}.`,
  );
  // A list: the breaches the address appears in (the address is the one asked about).
  return { data: result.breaches, view: await readable(opts.email, result.breaches, ctx), piped };
}

/** Each breach laid out for reading, under a heading. */
async function readable(email: string, breaches: RetrievedBreach[], ctx: Context): Promise<View> {
  const c = ctx.out.color;
  if (!breaches.length) return lines(`${c.green('✓')} No known breaches for ${email}.`);
  const width = Math.min(ctx.streams.stdout.columns ?? 80, 100);
  const blocks = await Promise.all(
    breaches.map((b) =>
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
  const heading = `${c.bold(email)} appears in ${breaches.length} breach${breaches.length === 1 ? '' : 'es'}:`;
  return lines(heading, '', blocks.join('\n\n'));
}
