import { UsageError } from '../errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function profileNameProblem(name: string): string | undefined {
  return NAME.test(name)
    ? undefined
    : 'use letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit)';
}

export function checkProfileName(name: string): string {
  const problem = profileNameProblem(name);
  if (problem) throw new UsageError(`invalid profile name "${name}": ${problem}`);
  return name;
}
