/** Flag value parsers shared by commands; each throws a UsageError naming the flag. */
import { InvalidArgumentError } from 'commander';

/** "30", "30s", "500ms", "2m" -> milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('use a number of seconds, or a value like 500ms, 30s, 2m.');
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0 || ms > 3_600_000) throw new InvalidArgumentError('must be more than 0 and at most 1 hour.');
  return Math.round(ms);
}

export function parseNonNegativeInt(max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
    const n = Number(value);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}.`);
    return n;
  };
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a port number from 0 to 65535 (0 picks a free one).');
  return Number(value);
}

/** For repeatable options: collects values into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0.');
  return n;
}

/** A share from 0 to 1, e.g. an error rate. */
export function parseShare(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('must be a number from 0 to 1, e.g. 0.05.');
  return n;
}
