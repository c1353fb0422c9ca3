import type { EventEmitter } from 'node:events';
import type { Command } from 'commander';

/**
 * The command reference, docs/commands.md: every visible command's help, exactly as `--help`
 * prints it, read from the live commander tree so the page cannot say what the tool does not do
 * (scripts/gen-docs.js writes it; a test fails while the committed page is stale). One width
 * whatever the terminal, so the page is the same on every machine.
 */
const WIDTH = 100;

function hidden(cmd: Command): boolean {
  return Boolean((cmd as unknown as { _hidden?: boolean })._hidden) || cmd.name() === 'help';
}

/** The root first, then each noun and, under it, its verbs: the order the root help lists them. */
function walk(cmd: Command, path: string[]): Array<{ cmd: Command; path: string[] }> {
  return [
    { cmd, path },
    ...cmd.commands.filter((sub) => !hidden(sub)).flatMap((sub) => walk(sub, [...path, sub.name()])),
  ];
}

/** What `--help` writes: the help itself and the text addHelpText put before and after it. */
function helpText(cmd: Command): string {
  const helper = cmd.createHelp();
  helper.prepareContext({ helpWidth: WIDTH, outputHasColors: false });
  let text = '';
  // A Command is an EventEmitter; addHelpText registers on these events, as outputHelp() fires them.
  const emit = (event: string) =>
    (cmd as unknown as EventEmitter).emit(event, { error: false, command: cmd, write: (s: string) => (text += s) });
  emit('beforeHelp');
  text += helper.formatHelp(cmd, helper);
  emit('afterHelp');
  return text.replace(/\s+$/, '');
}

/** A summary as Markdown text: characters Markdown would read as markup are escaped. */
function escaped(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, '\\$&');
}

/** GitHub's anchor for a heading `safeweb customer onboard`. */
function anchor(path: string[]): string {
  return ['safeweb', ...path].join('-').toLowerCase();
}

export function commandReference(program: Command): string {
  const commands = walk(program, []);
  const out = [
    '# Command reference',
    '',
    '<!-- Generated from the live command tree by `npm run docs` (scripts/gen-docs.js). Do not edit by hand:',
    '     change the command, then regenerate. `npm test` fails while this page is stale. -->',
    '',
    "Every command's `--help`, as the tool prints it. The root help comes first: the global options that every",
    'command takes, and the exit codes. What the output of each command looks like, and what the exit codes mean',
    'in detail, is in [output.md](output.md).',
    '',
  ];
  for (const { cmd, path } of commands.slice(1)) {
    const summary = cmd.summary() || cmd.description();
    const indent = path.length > 1 ? '  '.repeat(path.length - 1) : '';
    out.push(`${indent}- [\`safeweb ${path.join(' ')}\`](#${anchor(path)})${summary ? `: ${escaped(summary)}` : ''}`);
  }
  for (const { cmd, path } of commands) {
    out.push('', `## \`${['safeweb', ...path].join(' ')}\``, '', '```text', helpText(cmd), '```');
  }
  return `${out.join('\n')}\n`;
}
