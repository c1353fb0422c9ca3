/**
 * Questions to a person, behind a small interface so tests can script the answers and so
 * @inquirer/prompts is loaded only when a question is really asked.
 */
interface Choice<T extends string> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  input(opts: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  password(opts: { message: string; validate?: (value: string) => true | string }): Promise<string>;
  select<T extends string>(opts: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  confirm(opts: { message: string; default?: boolean }): Promise<boolean>;
}

export interface PromptStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** The real prompter: @inquirer/prompts on the given terminal streams. */
export async function createInquirerPrompter(streams: PromptStreams): Promise<Prompter> {
  const inquirer = await import('@inquirer/prompts');
  const context = { input: streams.input, output: streams.output, clearPromptOnDone: false };
  return {
    input: (opts) => inquirer.input({ message: opts.message, default: opts.default, validate: opts.validate }, context),
    password: (opts) => inquirer.password({ message: opts.message, mask: '•', validate: opts.validate }, context),
    select: <T extends string>(opts: { message: string; choices: Choice<T>[]; default?: T }) =>
      inquirer.select<T>({ message: opts.message, choices: opts.choices, default: opts.default }, context),
    confirm: (opts) => inquirer.confirm({ message: opts.message, default: opts.default }, context),
  };
}

/** Ctrl+C (or Esc) at a question: @inquirer/prompts ends the prompt with one of these. */
export function isPromptExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

/**
 * Questions asked after a change was sent (save the answers? …): the change stands whatever
 * happens to them. Ctrl+C, or a failure, ends only the questions: `undone` names what was not
 * done, and the run goes on to its normal outcome (exit 0, the result shown). Exit 130 is only
 * for a run that was cancelled before anything was sent.
 */
export async function afterChange<T>(
  ask: () => Promise<T>,
  undone: string,
): Promise<{ done: true; value: T } | { done: false; why: string }> {
  try {
    return { done: true, value: await ask() };
  } catch (error) {
    const why = isPromptExit(error) ? 'cancelled' : error instanceof Error ? error.message : String(error);
    return { done: false, why: `${undone} (${why})` };
  }
}
