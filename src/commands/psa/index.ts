import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerPsaSyncVerbs } from './sync-verbs.js';

export function registerPsa(program: Command, ctx: Context): void {
  const psa = program
    .command('psa')
    .summary('findings as PSA tickets (ConnectWise): connections, customer mapping, plan and sync')
    .description(
      'Keep tickets in your PSA in step with SafeWeb findings. Connections and customer mappings live in the ' +
        'integration settings (or a manifest, with --file); see docs/psa.md.',
    );
  registerPsaSyncVerbs(psa, ctx);
}
