import { listCategories } from '../../api/breaches.js';
import type { Context } from '../../context.js';

export type BreachCategoriesOptions = Record<string, never>;

export async function runBreachCategories(_opts: BreachCategoriesOptions, ctx: Context): Promise<void> {
  const { document, categories } = await listCategories(await ctx.api());
  if (ctx.globals.json) {
    ctx.out.printJson(document);
    return;
  }
  await ctx.out.printRows(
    [{ header: 'Category' }, { header: 'Description', wrap: true }],
    categories.map((c) => [c.name, c.description ?? '']),
    'The API returned no categories.',
  );
}
