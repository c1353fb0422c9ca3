import type { Command } from 'commander';
import { buildModel } from '../../completion/model.js';
import { bashScript, fishScript, zshScript } from '../../completion/scripts.js';
import type { Context } from '../../context.js';
import { commandReference } from '../../help/reference.js';
import { lines, type Outcome } from '../../outcome.js';

export interface CompletionOptions {
  shell: 'bash' | 'zsh' | 'fish';
}

export function completionScript(shell: CompletionOptions['shell'], program: Command): string {
  const model = buildModel(program);
  return shell === 'bash' ? bashScript(model) : shell === 'zsh' ? zshScript(model) : fishScript(model);
}

/** The script as text in every mode; with --json, the same text as one JSON string. */
export function runCompletion(opts: CompletionOptions, _ctx: Context, program: Command): Outcome<string> {
  const script = completionScript(opts.shell, program);
  return { data: script, view: lines(script.replace(/\n$/, '')) };
}

/** docs/commands.md as text in every mode (scripts/gen-docs.js writes it); with --json, one JSON string. */
export function runCommandReference(program: Command): Outcome<string> {
  const page = commandReference(program);
  return { data: page, view: lines(page.replace(/\n$/, '')) };
}
