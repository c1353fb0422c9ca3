import type { Command } from 'commander';
import { buildModel } from '../../completion/model.js';
import { bashScript, fishScript, zshScript } from '../../completion/scripts.js';
import type { Context } from '../../context.js';

export interface CompletionOptions {
  shell: 'bash' | 'zsh' | 'fish';
}

export function completionScript(shell: CompletionOptions['shell'], program: Command): string {
  const model = buildModel(program);
  return shell === 'bash' ? bashScript(model) : shell === 'zsh' ? zshScript(model) : fishScript(model);
}

export function runCompletion(opts: CompletionOptions, ctx: Context, program: Command): void {
  ctx.streams.stdout.write(completionScript(opts.shell, program));
}
