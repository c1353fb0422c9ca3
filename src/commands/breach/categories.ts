import { listCategories } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';
import { CATEGORY_COLUMNS } from './columns.js';

export type BreachCategoriesOptions = Record<string, never>;

export async function runBreachCategories(_opts: BreachCategoriesOptions, ctx: Context): Promise<Outcome> {
  const { document, categories } = await listCategories(await ctx.api());
  if (document && typeof document === 'object') unwrapEnvelope(document, 'breach categories');
  // A list: one record per category, whichever of the shapes the API answered in.
  return {
    data: categories.map((c) => (c.description === undefined ? { name: c.name } : c)),
    view: table(
      CATEGORY_COLUMNS,
      categories.map((c) => [c.name, c.description ?? '']),
      'The API returned no categories.',
    ),
  };
}
