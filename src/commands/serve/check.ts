/**
 * `safeweb serve check --url PUBLIC_URL`: one correctly signed v1 test delivery through the URL
 * SafeWeb delivers to — the DNS name, the TLS certificate, the proxy, the path — and what came
 * back. The receiver answers a check delivery (serve/translate.ts CHECK_TYPE) like any other and
 * acts on nothing; the answer must be a 2xx signed over its X-Token with the same secret, which
 * proves the proxy passes the headers both ways. Sent once (no retries): a check, not a delivery.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { info, styled, success, type Outcome } from '../../outcome.js';
import { loadSecrets } from '../../serve/secrets.js';
import { CHECK_TYPE } from '../../serve/translate.js';
import { deliver } from '../../webhooks/deliver.js';
import { v1Envelope } from '../../webhooks/v1.js';

export interface ServeCheckOptions {
  url: string;
  secretFile?: string | undefined;
}

export interface ServeCheckResult {
  url: string;
  ok: boolean;
  status: number | null;
  ms: number;
  /** Why it did not count: no answer, a non-2xx, an unsigned or wrongly signed 2xx. */
  error: string | null;
  /** Where the secret it signed with came from (never the value). */
  secret: string;
}

export async function runServeCheck(opts: ServeCheckOptions, ctx: Context): Promise<Outcome<ServeCheckResult>> {
  const loaded = await loadSecrets(
    opts.secretFile ? { files: [opts.secretFile] } : { files: [], scope: await ctx.secretScope() },
  );
  const secret = loaded.values[0];
  if (secret === undefined)
    throw new UsageError(
      `no secret to sign the check with${loaded.problems.length ? ` (${loaded.problems.join('; ')})` : ''}`,
      'Give --secret-file FILE with a secret the receiver holds, or store it as webhook/<name> (`safeweb secret set`).',
    );
  ctx.holdSecret(secret);
  const body = JSON.stringify(v1Envelope(CHECK_TYPE, { check: randomUUID() }, ctx.now()));
  const [attempt] = await deliver(
    { url: opts.url, secret, event: CHECK_TYPE, body, v1: true },
    { timeoutMs: ctx.globals.timeout, retries: 0, backoffBaseMs: 0 },
  );
  const result: ServeCheckResult = {
    url: opts.url,
    ok: attempt?.ok === true,
    status: attempt?.status ?? null,
    ms: attempt?.ms ?? 0,
    error: attempt?.ok
      ? null
      : (attempt?.error ?? (attempt?.status !== undefined ? `answered ${attempt.status}` : 'no answer')),
    secret: loaded.labels[0]!,
  };
  if (result.ok)
    return {
      data: result,
      notes: [
        success(
          `${opts.url} accepted a signed test delivery (${result.status}, ${result.ms} ms) and signed its answer.`,
        ),
      ],
    };
  return {
    data: result,
    notes: [
      info([
        styled('bad', 'error:'),
        ` ${opts.url} did not accept the test delivery: ${result.error}`,
        styled(
          'dim',
          result.status === 401
            ? ' — the receiver does not hold this secret (SIGHUP it after a cycle), or the proxy changes the body.'
            : result.status === 404
              ? ' — the path differs: the proxy must pass it as serve --path expects.'
              : ' — check the proxy passes X-Signature and X-Token both ways, and that serve runs.',
        ),
      ]),
    ],
    failures: [ExitCode.Unavailable],
  };
}
