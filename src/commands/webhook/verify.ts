import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { info, success, type Outcome } from '../../outcome.js';
import { readInput, readInputBytes } from '../../io/read-input.js';
import { readSecrets } from '../../webhooks/options.js';
import { SIGNATURE_HEADER, verify } from '../../webhooks/signature.js';

export interface WebhookVerifyOptions {
  secretFiles: string[];
  signature?: string | undefined;
  headers?: string | undefined;
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

/** Exactly one of signature and headers: commander checked it. */
export async function runWebhookVerify(opts: WebhookVerifyOptions, ctx: Context): Promise<Outcome> {
  if (opts.payload === '-' && opts.secretFiles.includes('-'))
    throw new UsageError(
      'the payload and a secret cannot both come from stdin',
      'Put the secret in a file, or the payload with --payload FILE.',
    );
  const secrets = await readSecrets(opts.secretFiles, ctx.streams.stdin, (t) => ctx.out.warn(t));
  const header = opts.signature ?? parseHeaders(await readInput(opts.headers!, ctx.streams.stdin))[SIGNATURE_HEADER];
  const body = await readInputBytes(opts.payload, ctx.streams.stdin);
  const result = verify(body, header, secrets);
  if (!result.valid)
    // Not thrown: with --json the verdict is still the document on stdout.
    return {
      data: { valid: false, reason: result.reason, detail: result.detail },
      notes: [info(`${ctx.out.errColor.red('error:')} invalid signature: ${result.detail}`)],
      failures: [ExitCode.SignatureInvalid],
    };
  const which = opts.secretFiles[result.secretIndex];
  return {
    data: { valid: true, secretFile: which },
    notes: [
      success(`Valid signature${secrets.length > 1 ? `, made with secret ${result.secretIndex + 1} (${which})` : ''}.`),
    ],
  };
}
