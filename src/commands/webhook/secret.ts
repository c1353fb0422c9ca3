/**
 * v1 organisation signing secrets: create (only when none is active), cycle (the new one
 * becomes active, the old one the fallback), deactivate. A token is issued once, so it goes
 * either to a new 0600 file (claimed before asking, removed if the request fails) or, once, to
 * the screen with a warning.
 */
import { deactivateSigningSecret, issueSigningSecret } from '../../api/webhooks.js';
import type { Context } from '../../context.js';
import { ApiRejectedError, CancelledError, IncompleteAnswerError, UsageError } from '../../errors.js';
import { claimNewFile } from '../../io/safe-write.js';
import { pairs, success, warn, type Cell, type Outcome } from '../../outcome.js';
import { unwrapEnvelope } from '../../api/envelope.js';

export interface SecretIssueOptions {
  cycle: boolean;
  secretFile?: string | undefined;
}

const CYCLE_HINT =
  'An organisation has one active signing secret. To replace it, run `safeweb webhook secret cycle` ' +
  '(the old one stays valid as the fallback until you deactivate it).';

async function issue(opts: SecretIssueOptions, ctx: Context): Promise<{ id: string; token: string }> {
  const where = opts.cycle ? 'webhook secret cycle' : 'webhook secret create';
  try {
    const { secret } = unwrapEnvelope(await issueSigningSecret(await ctx.api(), opts.cycle), where);
    if (typeof secret?.id !== 'string' || !secret.id) throw new IncompleteAnswerError(where, 'secret.id');
    if (typeof secret.token !== 'string' || !secret.token) throw new IncompleteAnswerError(where, 'secret.token');
    return secret;
  } catch (error) {
    if (!opts.cycle && error instanceof ApiRejectedError && error.status >= 400)
      throw new ApiRejectedError(error.message, error.status, error.body, CYCLE_HINT);
    throw error;
  }
}

/** `webhook secret create` and `webhook secret cycle`. */
export async function runWebhookSecretIssue(opts: SecretIssueOptions, ctx: Context): Promise<Outcome> {
  // Claim the file before asking: it must be new, and only yours; a failure removes it.
  const claim = opts.secretFile ? claimNewFile(opts.secretFile, 'secret file') : undefined;
  let secret;
  try {
    secret = await issue(opts, ctx);
  } catch (error) {
    claim?.abandon();
    throw error;
  }
  claim?.write(`${secret.token}\n`);
  const rows: Array<[string, string, Cell]> = [['ID', 'id', secret.id]];
  if (claim === undefined) rows.push(['Token', 'token', secret.token]);
  const rotation = opts.cycle
    ? [success('The previous secret is now the fallback: deploy the new one, then deactivate the old one.')]
    : [];
  return {
    data: claim === undefined ? { id: secret.id, token: secret.token } : { id: secret.id },
    view: pairs(rows),
    notes: [
      claim !== undefined
        ? success(`The signing token is in ${opts.secretFile} (mode 0600). It cannot be shown again.`)
        : warn(
            'this signing token is shown only now and cannot be retrieved later; ' +
              'store it safely (or use --secret-file next time).',
          ),
      ...rotation,
    ],
  };
}

export interface SecretDeactivateOptions {
  id: string;
  yes: boolean;
}

export async function runWebhookSecretDeactivate(opts: SecretDeactivateOptions, ctx: Context): Promise<Outcome> {
  const { id } = opts;
  const action = `Deactivate signing secret ${id}`;
  const where = ctx.guard.confirmTarget(await ctx.resolved(), { action, operation: 'webhookSecret', yes: opts.yes });
  if (!opts.yes) {
    const hint = 'Pass --yes to deactivate it without asking.';
    if (!ctx.interactive) throw new UsageError(`deactivating signing secret ${id} needs confirmation`, hint);
    const prompter = await ctx.prompter(hint);
    const message = `${action}${where}? Deliveries signed with it will no longer verify.`;
    if (!(await prompter.confirm({ message, default: false }))) throw new CancelledError('Nothing deactivated.');
  }
  unwrapEnvelope(await deactivateSigningSecret(await ctx.api(), id), 'webhook secret deactivate');
  return { data: { id, deactivated: true }, notes: [success(`Deactivated signing secret ${id}.`)] };
}
