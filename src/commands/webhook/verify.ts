import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { hint, info, styled, success, type Outcome } from '../../outcome.js';
import { readInput, readInputBytes } from '../../io/read-input.js';
import { readSecrets } from '../../webhooks/options.js';
import { SIGNATURE_HEADER, verify } from '../../webhooks/signature.js';
import { signV1Response, V1_SIGNATURE_HEADER, V1_TOKEN_HEADER, verifyV1, type V1Result } from '../../webhooks/v1.js';

export interface WebhookVerifyOptions {
  secretFiles: string[];
  signature?: string | undefined;
  headers?: string | undefined;
  /** v1: the request's X-Token (for the answer signature); read from --headers when there. */
  token?: string | undefined;
  payload: string;
}

/** Header lines as captured ("Name: value", any order, a request line allowed), or a JSON object. */
export function parseHeaders(text: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const obj = JSON.parse(trimmed) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), String(v)]));
    } catch {
      throw new UsageError('the headers file looks like JSON but is not valid JSON');
    }
  }
  const headers: Record<string, string> = {};
  for (const line of trimmed.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !/^[A-Z]+ \S+ HTTP\//.test(line))
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

type Protocol = 'legacy' | 'v1';

interface Captured {
  protocol: Protocol;
  signature: string | undefined;
  token: string | undefined;
}

/**
 * Which protocol a delivery speaks: from its headers (X-SafeWeb-Signature is seed 002's,
 * X-Signature v1's), or from a --signature's form (`sha256=…` is seed 002's, bare hex v1's).
 */
async function captured(opts: WebhookVerifyOptions, ctx: Context): Promise<Captured> {
  if (opts.signature !== undefined) {
    const legacy = opts.signature.trim().startsWith('sha256=');
    if (legacy && opts.token !== undefined)
      throw new UsageError('--token belongs to v1 signatures (bare hex); "sha256=…" is the older protocol');
    return { protocol: legacy ? 'legacy' : 'v1', signature: opts.signature, token: opts.token };
  }
  const headers = parseHeaders(await readInput(opts.headers!, ctx.streams.stdin));
  const v1 = headers[SIGNATURE_HEADER] === undefined && headers[V1_SIGNATURE_HEADER] !== undefined;
  return v1
    ? { protocol: 'v1', signature: headers[V1_SIGNATURE_HEADER], token: opts.token ?? headers[V1_TOKEN_HEADER] }
    : { protocol: 'legacy', signature: headers[SIGNATURE_HEADER], token: undefined };
}

function check(body: Buffer, c: Captured, secrets: string[], fromHeaders: boolean): V1Result {
  const result = c.protocol === 'v1' ? verifyV1(body, c.signature, secrets) : verify(body, c.signature, secrets);
  if (fromHeaders && !result.valid && result.reason === 'missing')
    return { ...result, detail: 'no X-SafeWeb-Signature header (older protocol) nor X-Signature header (v1)' };
  return result;
}

/** Exactly one of signature and headers: commander checked it. */
export async function runWebhookVerify(opts: WebhookVerifyOptions, ctx: Context): Promise<Outcome> {
  if (opts.payload === '-' && opts.secretFiles.includes('-'))
    throw new UsageError(
      'the payload and a secret cannot both come from stdin',
      'Put the secret in a file, or the payload with --payload FILE.',
    );
  const secrets = await readSecrets(opts.secretFiles, ctx.streams.stdin, (t) => ctx.out.warn(t));
  const c = await captured(opts, ctx);
  const body = await readInputBytes(opts.payload, ctx.streams.stdin);
  const result = check(body, c, secrets, opts.signature === undefined);
  const v1 = c.protocol === 'v1' ? { protocol: 'v1' } : {};
  if (!result.valid)
    // Not thrown: with --json the verdict is still the document on stdout.
    return {
      data: { valid: false, ...v1, reason: result.reason, detail: result.detail },
      notes: [info([styled('bad', 'error:'), ` invalid signature: ${result.detail}`])],
      failures: [ExitCode.SignatureInvalid],
    };
  const which = opts.secretFiles[result.secretIndex];
  // v1: what the receiver must answer with for this attempt (the guessed recipe, V1_GUESSES).
  const answer = c.token === undefined ? undefined : signV1Response(c.token, secrets[result.secretIndex]!);
  const made = secrets.length > 1 ? `, made with secret ${result.secretIndex + 1} (${which})` : '';
  return {
    data: { valid: true, ...v1, secretFile: which, ...(answer === undefined ? {} : { answerSignature: answer }) },
    notes: [
      success(`Valid ${c.protocol === 'v1' ? 'v1 ' : ''}signature${made}.`),
      ...(answer === undefined ? [] : [hint(`The receiver answers this attempt with X-Signature: ${answer}`)]),
    ],
  };
}
