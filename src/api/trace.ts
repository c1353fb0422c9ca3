/** --debug lines for one attempt, secrets redacted (engine.ts writes them). */
import { redactBody, redactHeader, redactText } from './redact.js';

export type Trace = (line: string) => void;

export function traceRequest(
  trace: Trace,
  known: string[],
  method: string,
  url: string,
  headers: Iterable<[string, string]>,
  body: string,
): void {
  trace(`→ ${method} ${redactText(url, known)}`);
  for (const [key, value] of headers) trace(`  ${key}: ${redactHeader(key, value)}`);
  if (body) trace(`  body: ${redactBody(body, known)}`);
}

export function traceResponse(
  trace: Trace,
  known: string[],
  status: number,
  statusText: string,
  ms: number,
  headers: Iterable<[string, string]>,
  body: string,
): void {
  trace(`← ${status} ${statusText} in ${ms} ms`);
  for (const [key, value] of headers) trace(`  ${key}: ${redactHeader(key, value)}`);
  if (body) trace(`  body: ${redactBody(body.length > 4000 ? `${body.slice(0, 4000)}…` : body, known)}`);
}

export function traceFailure(trace: Trace, known: string[], method: string, ms: number, error: unknown): void {
  trace(
    `✗ ${method} failed after ${ms} ms: ${redactText(error instanceof Error ? error.message : String(error), known)}`,
  );
}
