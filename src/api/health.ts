/** The health probe (path guessed; see paths.ts). */
import type { ApiClient } from './client.js';
import { PATHS } from './paths.js';

export interface HealthResult {
  status: number;
  latencyMs: number;
  body: Record<string, unknown>;
}

/** GET health, timed. Credentials are sent when there are some, but not required. */
export async function getHealth(api: ApiClient, now: () => number = () => performance.now()): Promise<HealthResult> {
  const started = now();
  const res = await api.request<Record<string, unknown>>({ method: 'GET', path: PATHS.health });
  return { status: res.status, latencyMs: Math.round(now() - started), body: res.data };
}
