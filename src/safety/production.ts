/**
 * Know where a change goes: on a profile whose base URL is production, verbs that confirm name
 * the profile and the partner in their question, and every other write says the same on stderr
 * (so a cron log says where it wrote).
 */
import { ENVIRONMENTS } from '../environments.js';
import type { WriteRequest } from '../api/client.js';
import type { PathName } from '../api/paths.js';
import type { Resolved } from '../config/resolve.js';
import { ReadOnlyError } from '../errors.js';
import { readOnlyReason } from './read-only.js';

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

/** A change a verb is about to confirm (or, with --yes, to make without asking). */
export interface ConfirmedChange {
  /** `Offboard ACME-001`: the question, and the line said with --yes. */
  action: string;
  operation: PathName;
  yes: boolean;
}

/**
 * Told that `operation` was named before it was sent (its write then says nothing more), with
 * the line to say on stderr when nobody is asked (--yes).
 */
export type Announce = (operation: PathName, line: string | undefined) => void;

/** A read-only run refuses at once (exit 2): before any question, not after the answers. */
export function refuseReadOnly(
  resolved: Pick<Resolved, 'readOnly' | 'profile'>,
  env: Record<string, string | undefined>,
  action: string,
): void {
  const reason = readOnlyReason(env, resolved);
  if (reason) throw new ReadOnlyError(reason, action);
}

/**
 * For verbs that confirm a change: refuses at once on a read-only run, and on production returns
 * ` on partner 4711 (profile "prod")` for the question; with --yes, the whole line is announced
 * instead. Either way the write itself then says nothing more. Empty off production.
 */
export function changeTarget(
  resolved: Pick<Resolved, 'readOnly' | 'profile' | 'partnerId' | 'baseUrl'>,
  env: Record<string, string | undefined>,
  change: ConfirmedChange,
  announce: Announce,
): string {
  refuseReadOnly(resolved, env, change.action);
  if (!isProduction(resolved.baseUrl.value) || !resolved.partnerId) return '';
  const where = ` ${onPartner({ partnerId: resolved.partnerId.value, profile: resolved.profile?.value })}`;
  announce(change.operation, change.yes ? `${change.action}${where}` : undefined);
  return where;
}
