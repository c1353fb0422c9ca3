import type { EventEmitter } from 'node:events';
import type { Command } from 'commander';
import type { RootHelp } from './root.js';

/** The root help's parts, read from the live commander tree (scripts/build.js stores them in dist/main.js). */
export function rootHelpParts(program: Command): RootHelp {
  const helper = program.createHelp();
  helper.prepareContext({ helpWidth: 80 });
  let after = '';
  // What addHelpText('after') registered, as outputHelp() would write it (a Command is an EventEmitter).
  (program as unknown as EventEmitter).emit('afterHelp', {
    error: false,
    command: program,
    write: (text: string) => (after += text),
  });
  return {
    usage: helper.commandUsage(program),
    description: helper.commandDescription(program),
    termWidth: helper.padWidth(program, helper),
    options: helper.visibleOptions(program).map((o) => [helper.optionTerm(o), helper.optionDescription(o)]),
    after: after.endsWith('\n') ? after.slice(0, -1) : after,
  };
}
