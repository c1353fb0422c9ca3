import { updateConfig } from '../../config/store.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { success, type Outcome } from '../../outcome.js';

export interface ProfileUseOptions {
  name: string;
}

export async function runProfileUse(opts: ProfileUseOptions, ctx: Context): Promise<Outcome> {
  const current = await ctx.config();
  if (!current.profiles[opts.name]) throw unknownProfile(opts.name, Object.keys(current.profiles));
  await updateConfig(ctx.configDir, (data) => {
    if (!data.profiles[opts.name]) throw unknownProfile(opts.name, Object.keys(data.profiles));
    data.activeProfile = opts.name;
  });
  return { data: { activeProfile: opts.name }, notes: [success(`Active profile is now "${opts.name}".`)] };
}

export function unknownProfile(name: string, known: string[]): UsageError {
  return new UsageError(
    `no profile named "${name}"`,
    known.length ? `Known profiles: ${known.join(', ')}.` : 'Create one with `safeweb login` or `safeweb profile add`.',
  );
}
