/**
 * Reading a PSA's answers, shared by the clients: each reader either returns what the API promised
 * or throws BadAnswer naming what was missing, so a hostile or changed answer ends in one line
 * (exit 5) and is never taken for "no ticket" or "no ID".
 */
import { isLoopbackHost } from '../api/base-url.js';
import { UsageError } from '../errors.js';
import { BadAnswer } from './http.js';

export function list(data: unknown, what = 'the answer'): unknown[] {
  if (!Array.isArray(data)) throw new BadAnswer(`${what} is not a list`);
  return data;
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new BadAnswer(`${what} is not a record`);
  return value as Record<string, unknown>;
}

export function id(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new BadAnswer(`${what} has no numeric ID`);
  return value;
}

export function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new BadAnswer(`${what} is missing`);
  return value;
}

export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
export const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
export const optionalText = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
export const optionalId = (value: unknown, what: string): number | null =>
  value === undefined || value === null ? null : id(value, what);

/**
 * A PSA's address as a user types it: a host (https implied) or a URL keeping its scheme, port and
 * path. Plain http:// is refused except to loopback (the credential would cross the network in
 * clear text); credentials, a query or a fragment are refused. Exit 2 for anything wrong. The
 * caller checks and sets the path.
 */
export function psaAddress(
  raw: string,
  what: { name: string; secret: string; example: string; shape: string; added: string },
): URL {
  const trimmed = raw.trim();
  const given = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let url: URL;
  try {
    url = new URL(given ? trimmed : `https://${trimmed}`);
  } catch {
    throw new UsageError(`invalid ${what.name} "${raw}"`, `Give a host such as ${what.example}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`the ${what.name} must use https:// (got ${url.protocol})`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw new UsageError(
      `refusing plain http:// to ${url.host}: ${what.secret} would travel unencrypted`,
      'Give the host alone (https is implied), or http:// only for a local emulator on 127.0.0.1.',
    );
  if (url.username || url.password || url.search || url.hash) throw shapeError(raw, what);
  return url;
}

export function shapeError(raw: string, what: { name: string; shape: string; added: string }): UsageError {
  return new UsageError(`the ${what.name} must be ${what.shape}, nothing more: ${raw}`, what.added);
}
