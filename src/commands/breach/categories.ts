import { listCategories } from '../../api/breaches.js';
import type { Context } from '../../context.js';
import { table, type Outcome } from '../../outcome.js';

export type BreachCategoriesOptions = Record<string, never>;

export async function runBreachCategories(_opts: BreachCategoriesOptions, ctx: Context): Promise<Outcome> {
  const { document, categories } = await listCategories(await ctx.api());
  return {
    data: document,
    view: table(
      [
        { key: 'name', header: 'Category' },
        { key: 'description', header: 'Description', wrap: true },
      ],
      categories.map((c) => [c.name, c.description ?? '']),
      'The API returned no categories.',
    ),
  };
}
