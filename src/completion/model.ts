/**
 * A plain description of the live commander tree, from which the shell scripts are written:
 * command paths, their flags (which take values, and which values), and their arguments.
 */
import type { Command, Option } from 'commander';

export interface OptionSpec {
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: string[];
  /** Values come from `safeweb profile list --names` at completion time. */
  dynamic?: 'profiles';
}

interface CommandSpec {
  path: string;
  description: string;
  subcommands: Array<{ name: string; description: string }>;
  options: OptionSpec[];
  /** Static values for the first argument, or dynamic profile names or customer references. */
  argChoices: string[];
  argDynamic?: ArgDynamic;
}

/**
 * Values looked up at completion time: profile names, or the customer references of the local
 * record (`safeweb __complete customers`: one file read, no request), all or in one state.
 */
export type ArgDynamic = 'profiles' | 'customers' | 'active-customers' | 'offboarded-customers';

/** offboard offers the customers still active, reactivate the offboarded ones. */
const CUSTOMER_STATE: Record<string, ArgDynamic> = {
  'customer offboard': 'active-customers',
  'customer reactivate': 'offboarded-customers',
};

export interface CompletionModel {
  global: OptionSpec[];
  commands: CommandSpec[];
}

const PROFILE_ARG_COMMANDS = new Set(['profile use', 'profile show', 'profile remove']);
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function optionSpec(o: Option): OptionSpec {
  const flags = [o.short, o.long].filter((f): f is string => Boolean(f));
  const spec: OptionSpec = {
    flags,
    description: o.description, // An optional value (--save-profile [name]) completes like a plain flag.
    takesValue: o.required,
    choices: o.argChoices ?? [],
  };
  if (o.long === '--profile') spec.dynamic = 'profiles';
  return spec;
}

function visible(cmd: Command): boolean {
  return !(cmd as unknown as { _hidden?: boolean })._hidden && cmd.name() !== 'help';
}

export function buildModel(program: Command): CompletionModel {
  const commands: CommandSpec[] = [];
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter(visible);
    const spec: CommandSpec = {
      path,
      description: cmd.summary() || cmd.description(),
      subcommands: subs.flatMap((s) =>
        [s.name(), ...s.aliases()].map((name) => ({ name, description: s.summary() || s.description() })),
      ),
      options: path === '' ? [] : cmd.options.filter((o) => !o.hidden).map(optionSpec),
      argChoices: path === 'api' ? HTTP_METHODS : (cmd.registeredArguments[0]?.argChoices ?? []),
    };
    if (PROFILE_ARG_COMMANDS.has(path) || path === 'profile rm') spec.argDynamic = 'profiles';
    else if (cmd.registeredArguments[0]?.name() === 'customer') spec.argDynamic = CUSTOMER_STATE[path] ?? 'customers';
    commands.push(spec);
    for (const sub of subs) {
      for (const name of [sub.name(), ...sub.aliases()]) walk(sub, path ? `${path} ${name}` : name);
    }
  };
  walk(program, '');
  // --version is a root-only flag; every other root option is recognised after any command.
  const global = program.options.filter((o) => !o.hidden && o.long !== '--version').map(optionSpec);
  global.push({ flags: ['-h', '--help'], description: 'show help', takesValue: false, choices: [] });
  return { global, commands };
}
