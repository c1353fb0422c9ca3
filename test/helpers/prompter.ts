import type { Prompter } from '../../src/prompt/prompter.js';

/** Answers prompts from a script, in order, and records the questions asked. */
export function scriptedPrompter(answers: Array<string | boolean>): Prompter & { asked: string[] } {
  const queue = [...answers];
  const asked: string[] = [];
  const next = <T>(message: string): T => {
    asked.push(message);
    if (queue.length === 0) throw new Error(`no scripted answer for "${message}"`);
    return queue.shift() as T;
  };
  return {
    asked,
    input: async (o) => next<string>(o.message),
    password: async (o) => next<string>(o.message),
    select: async <T extends string>(o: { message: string }) => next<T>(o.message),
    confirm: async (o) => next<boolean>(o.message),
  };
}
