import { retrieveBreaches } from '../../api/breaches.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import type { Context } from '../../context.js';
import { emailProblem } from '../../customers/field-checks.js';
import { UsageError } from '../../errors.js';
import { document, lines, styled, table, type Outcome } from '../../outcome.js';
import { RETRIEVE_COLUMNS } from './columns.js';
import { breachSection } from './section.js';

export interface BreachRetrieveOptions {
  email: string;
  locale?: string | undefined;
}

export async function runBreachRetrieve(opts: BreachRetrieveOptions, ctx: Context): Promise<Outcome> {
  const problem = emailProblem(opts.email);
  if (problem) throw new UsageError(problem, 'Nothing was sent.');
  const { breaches } = unwrapEnvelope(
    await retrieveBreaches(await ctx.api(), opts.email, opts.locale),
    'breach retrieve',
  );
  const piped = table(
    RETRIEVE_COLUMNS,
    breaches.map((b) => [
      b.title,
      b.breachDate,
      b.breachCategories.join(', '),
      b.resolvedStatus ? 'resolved' : 'unresolved',
    ]),
    `No known breaches for ${opts.email}.`,
  );
  // Each breach laid out for reading, under a heading.
  const view = breaches.length
    ? document(
        [styled('strong', opts.email), ` appears in ${breaches.length} breach${breaches.length === 1 ? '' : 'es'}:`],
        breaches.map((b) =>
          breachSection({
            title: b.title,
            date: b.breachDate.slice(0, 10),
            categories: b.breachCategories,
            description: b.description,
            nextSteps: b.nextSteps,
            status: b.resolvedStatus ? styled('good', 'resolved') : styled('caution', 'unresolved'),
          }),
        ),
      )
    : lines([styled('good', '✓'), ` No known breaches for ${opts.email}.`]);
  // A list: the breaches the address appears in (the address is the one asked about).
  return { data: breaches, view, piped };
}
