/**
 * One signed delivery with SafeWeb's policy: POST, 2-second timeout, and on a non-2xx answer or
 * a timeout up to 3 retries with exponential backoff. Used by `webhook trigger` and by the
 * sandbox, so both behave as SafeWeb does. Sent through the one HTTP engine (api/engine.ts),
 * loaded on the first delivery; a delivery carries no API credentials, only the SafeWeb headers.
 */
import { createEngine, type Accepted, type Engine, type RetryPolicy } from '../api/engine.js';
import { createWire } from '../api/transport.js';
import { randomUUID } from 'node:crypto';
import { EVENT_HEADER, SIGNATURE_HEADER, sign } from './signature.js';
import { signV1, V1_SIGNATURE_HEADER, V1_TOKEN_HEADER, verifyV1Response } from './v1.js';

export interface DeliveryPolicy {
  timeoutMs: number;
  retries: number;
  /** Delay before retry n (1-based): base × 2^(n-1). */
  backoffBaseMs: number;
}

export const SAFEWEB_POLICY: DeliveryPolicy = { timeoutMs: 2000, retries: 3, backoffBaseMs: 500 };

export interface Attempt {
  attempt: number;
  at: string;
  ms: number;
  status?: number;
  error?: string;
  ok: boolean;
}

export interface DeliveryRequest {
  url: string;
  secret: string;
  event: string;
  /** The exact bytes to send and sign. */
  body: string;
  /** What counts as a delivered answer beyond a 2xx (see api/engine.ts); a refusal is retried. */
  accepted?: Accepted | undefined;
  /**
   * v1 (CONTRACT.md "Current event delivery"): X-Signature and a fresh X-Token per attempt, and
   * an answer counts only when it carries the response signature for that token.
   */
  v1?: boolean;
}

/**
 * v1 headers and the check of each answer. The engine sends the same header object on every
 * attempt and judges an answer before it reports the attempt, so the X-Token is replaced when
 * an attempt ends: each retry goes out with a new one, and each answer is checked against its own.
 */
function v1Exchange(req: DeliveryRequest): { headers: Record<string, string>; accepted: Accepted; next(): void } {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'SafeWeb-Webhooks (safeweb-cli)',
    [V1_SIGNATURE_HEADER]: signV1(req.body, req.secret),
    [V1_TOKEN_HEADER]: randomUUID(),
  };
  const accepted: Accepted = (answer) => {
    const given = answer.headers[V1_SIGNATURE_HEADER];
    const check = verifyV1Response(headers[V1_TOKEN_HEADER]!, typeof given === 'string' ? given : undefined, [
      req.secret,
    ]);
    if (!check.valid)
      return check.reason === 'missing'
        ? 'answered 2xx without the answer signature (X-Signature)'
        : `wrong answer signature: ${check.detail}`;
    return req.accepted ? req.accepted(answer) : true;
  };
  return { headers, accepted, next: () => (headers[V1_TOKEN_HEADER] = randomUUID()) };
}

let engine: Engine | undefined;

/** One engine for every delivery of the process: no proxy, no trace, connections reused. */
function deliveryEngine(): Engine {
  return (engine ??= createEngine({ wire: createWire({ env: {} }) }));
}

// A delivery is safe to repeat (receivers de-duplicate), so every failure is retried.
const enginePolicies = new WeakMap<DeliveryPolicy, RetryPolicy>();
function enginePolicy(policy: DeliveryPolicy): RetryPolicy {
  let mapped = enginePolicies.get(policy);
  if (!mapped) {
    mapped = {
      timeoutMs: policy.timeoutMs,
      retries: policy.retries,
      retryable: () => true,
      backoff: (retry) => policy.backoffBaseMs * 2 ** (retry - 1),
    };
    enginePolicies.set(policy, mapped);
  }
  return mapped;
}

/**
 * Delivers with retries. `onAttempt` sees every attempt as it ends. Returns all attempts; the
 * delivery succeeded when the last one is ok. Never throws for a failed delivery.
 */
export async function deliver(
  req: DeliveryRequest,
  policy: DeliveryPolicy = SAFEWEB_POLICY,
  onAttempt?: (a: Attempt) => void,
  signal?: AbortSignal,
): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  if (signal?.aborted) return attempts;
  const v1 = req.v1 ? v1Exchange(req) : undefined;
  const headers = v1?.headers ?? {
    'content-type': 'application/json',
    'user-agent': 'SafeWeb-Webhooks (safeweb-cli)',
    [EVENT_HEADER]: req.event,
    [SIGNATURE_HEADER]: sign(req.body, req.secret),
  };
  try {
    await deliveryEngine().send(
      {
        url: new URL(req.url),
        method: 'POST',
        headers,
        body: req.body,
        accepted: v1?.accepted ?? req.accepted,
        signal,
        onAttempt: (a) => {
          v1?.next();
          const attempt: Attempt = {
            attempt: a.attempt,
            at: new Date(a.startedAt).toISOString(),
            ms: a.ms,
            ...(a.status === undefined ? {} : { status: a.status }),
            ...(a.error === undefined ? {} : { error: a.error }),
            ok: a.ok,
          };
          attempts.push(attempt);
          onAttempt?.(attempt);
        },
      },
      enginePolicy(policy),
    );
  } catch {
    // Every attempt is in `attempts`; the last one says how it ended.
  }
  return attempts;
}
