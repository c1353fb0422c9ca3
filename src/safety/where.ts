/**
 * Know where a change goes: on a profile whose base URL is production, verbs that confirm name
 * the profile and the partner in their question, and every other write says the same on stderr
 * (so a cron log says where it wrote).
 */
import { ENVIRONMENTS } from '../api/base-url.js';
import type { WriteRequest } from '../api/client.js';
import type { PathName } from '../api/paths.js';
import type { Resolved } from '../config/resolve.js';
import type { Context } from '../context.js';
import { ReadOnlyError } from './read-only.js';

export interface ChangeTarget {
  partnerId: string;
  profile: string | undefined;
  production: boolean;
}

export function isProduction(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).origin === new URL(ENVIRONMENTS.production).origin;
  } catch {
    return false;
  }
}

/** `on partner 4711 (profile "prod")`. */
function onPartner(target: Pick<ChangeTarget, 'partnerId' | 'profile'>): string {
  return `on partner ${target.partnerId} (${target.profile ? `profile "${target.profile}"` : 'no profile'})`;
}

/** What a change does, in words, when only the request is known. */
const PHRASES: Partial<Record<PathName, string>> = {
  customerOnboard: 'Onboard',
  customerOffboard: 'Offboard',
  customerReactivate: 'Reactivate',
  customerInfo: 'Update',
  customerAssets: 'Change the assets of',
  customerMagicLink: 'Mint a magic link for',
  breachStatus: 'Change a breach status',
  webhooks: 'Create a webhook',
  webhookSecrets: 'Create a signing secret',
  webhookSecretsCycle: 'Cycle the signing secret',
  webhookSecret: 'Deactivate a signing secret',
};

/** `Offboard ACME-001 on partner 4711 (profile "prod")`: the line a production write prints on stderr. */
export function changeLine(write: WriteRequest, target: ChangeTarget): string {
  const who = write.customerRef ?? write.customerId;
  const phrase =
    write.operation === 'webhook'
      ? `${write.method === 'DELETE' ? 'Delete' : 'Change'} webhook ${write.path.split('/').pop()}`
      : write.operation && PHRASES[write.operation]
        ? `${PHRASES[write.operation]}${who ? ` ${who}` : ''}`
        : `${write.method} ${write.path}`;
  return `${phrase} ${onPartner(target)}`;
}

/**
 * For verbs that confirm a change: refuses at once on a read-only run (before any question), and
 * on production returns ` on partner 4711 (profile "prod")` for the question; with --yes, the
 * whole line is said on stderr instead. Either way the write itself then says nothing more.
 * Empty off production.
 */
export async function confirmTarget(
  ctx: Context,
  change: { action: string; operation: PathName; yes: boolean },
): Promise<string> {
  const resolved = await refuseIfReadOnly(ctx, change.action);
  if (!isProduction(resolved.baseUrl.value) || !resolved.partnerId) return '';
  const where = ` ${onPartner({ partnerId: resolved.partnerId.value, profile: resolved.profile?.value })}`;
  ctx.announced.add(change.operation);
  if (change.yes) ctx.out.info(`${change.action}${where}`);
  return where;
}

/** Before any question about a change: a read-only run refuses at once (exit 2), not after the answers. */
export async function refuseIfReadOnly(ctx: Context, action: string): Promise<Resolved> {
  const resolved = await ctx.resolved();
  const { readOnlyFromEnv } = await import('./read-only.js');
  if (readOnlyFromEnv(ctx.env)) throw new ReadOnlyError({ variable: 'SAFEWEB_READ_ONLY' }, action);
  if (resolved.readOnly) throw new ReadOnlyError({ profile: resolved.profile?.value }, action);
  return resolved;
}
