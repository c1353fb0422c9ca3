/**
 * Flag and argument parsers shared by every command. Commander calls them while it parses, so a
 * refusal is its usage error — `error: option '--x <v>' argument 'y' is invalid. <why> (see --help)`,
 * exit 2 — in the same shape for every verb, before any verb code runs.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { byteSize } from '../api/size.js';
import { checkWebhookUrl } from '../api/webhook-url.js';

/**
 * `--wait [duration]` of the runs that hold an account's lock (safety/run-lock.ts): alone, wait as
 * long as the running one takes; with a duration, at most that long.
 */
export function waitOption(): Option {
  return new Option(
    '--wait [duration]',
    'if a run of this kind holds the account, wait for it (at most DURATION)',
  ).argParser(parseDuration);
}

/** "16MiB", "512k", "1048576" -> bytes (api/size.ts), as a flag's value. */
export function parseSize(value: string): number {
  const bytes = byteSize(value);
  if (typeof bytes === 'string') throw new InvalidArgumentError(bytes);
  return bytes;
}

/** "30", "30s", "500ms", "2m" -> milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('use a number of seconds, or a value like 500ms, 30s, 2m.');
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0 || ms > 3_600_000) throw new InvalidArgumentError('must be more than 0 and at most 1 hour.');
  return Math.round(ms);
}

function wholeNumber(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  const n = Number(value);
  if (n < min) throw new InvalidArgumentError(`must be at least ${min}.`);
  if (n > max) throw new InvalidArgumentError(`must be at most ${max}.`);
  return n;
}

/**
 * A real day as YYYY-MM-DD (2026-01-31), as a flag's value (`psa sync --since`, `notify send
 * --since`, `serve --catch-up-from`): 2026-02-30 is refused, not rolled over into March.
 */
export function parseDay(value: string): string {
  const v = value.trim();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== v)
    throw new InvalidArgumentError('use a date as YYYY-MM-DD (2026-01-31).');
  return v;
}

/** 0 to `max`. */
export function parseNonNegativeInt(max: number) {
  return (value: string): number => wholeNumber(value, 0, max);
}

/** 1 to `max` (a concurrency, an ID). */
export function parsePositiveInt(max: number) {
  return (value: string): number => wholeNumber(value, 1, max);
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

/** A language and region as the API takes them: en-GB, da-DK. */
export function isLocale(value: string): boolean {
  return /^[a-z]{2}-[A-Z]{2}$/.test(value);
}

export function parseLocale(value: string): string {
  if (!isLocale(value)) throw new InvalidArgumentError('must look like en-GB or da-DK.');
  return value;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** A customer or breach ID: a UUID. */
export function parseUuid(value: string): string {
  if (!isUuid(value)) throw new InvalidArgumentError('must be a UUID such as 550e8400-e29b-41d4-a716-446655440000.');
  return value;
}

/** An absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** An http(s) URL, kept as given. */
export function parseHttpUrl(value: string): string {
  if (!isHttpUrl(value)) throw new InvalidArgumentError('must be an http:// or https:// URL.');
  return value;
}

/** A webhook receiver URL (api/webhook-url.ts), normalised as the API stores it. */
export function parseWebhookUrl(value: string): string {
  const checked = checkWebhookUrl(value);
  if ('problem' in checked) throw new InvalidArgumentError(checked.problem);
  return checked.url;
}

/** The path part of a URL: /hook. */
export function parseUrlPath(value: string): string {
  if (!value.startsWith('/')) throw new InvalidArgumentError('must start with /, like /hook.');
  return value;
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** An HTTP method in any case, upper-cased. */
export function parseMethod(value: string): string {
  const method = value.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method))
    throw new InvalidArgumentError(`use one of ${HTTP_METHODS.join(', ')}.`);
  return method;
}

/**
 * A usage error in commander's shape (`error: … (see --help)`), for what a parser cannot see
 * alone; main maps every commander error to exit 2.
 */
export function usageError(command: Command, message: string): never {
  command.error(message, { code: 'commander.usage' });
}

/**
 * Two flags of which exactly one is needed (`.conflicts()` alone would let neither through):
 * checked in the action, before the verb is loaded.
 */
export function exactlyOne(command: Command, a: string, b: string): void {
  const given = [a, b].filter((flag) => command.getOptionValue(camel(flag)) !== undefined);
  if (given.length !== 1) usageError(command, `give exactly one of ${a} and ${b}`);
}

function camel(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
