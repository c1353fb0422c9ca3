import type { Context } from '../../context.js';
import { ExitCode } from '../../exit-codes.js';
import { info, lines, styled, type Outcome } from '../../outcome.js';
import {
  checkApi,
  checkBaseUrlAndProxy,
  checkConfig,
  checkCredentials,
  checkKeyStore,
  checkRecord,
  type CheckLine,
} from './checks.js';
import { checkIntegrations, checkOutbox } from './integrations.js';
import { checkServe } from './serve.js';

export type DoctorOptions = Record<string, never>;

/** Every check, one line each; the failures' exit codes go to main, which picks the worst. */
export async function runDoctor(_opts: DoctorOptions, ctx: Context): Promise<Outcome> {
  const found: CheckLine[] = [];
  const add = (line: CheckLine) => found.push(line);
  const settled = await checkConfig(ctx, add);
  if (settled) {
    checkCredentials(settled, add);
    const resolved = await checkKeyStore(ctx, settled, add);
    if (await checkBaseUrlAndProxy(ctx, resolved, add)) await checkApi(ctx, resolved, add);
  }
  const gaps = await checkRecord(ctx, add);
  const account = await accountKey(ctx);
  if (account !== undefined) checkOutbox(ctx, account, add);
  await checkIntegrations(ctx, add);
  if (account !== undefined) await checkServe(ctx, account, add);
  const failed = found.filter((l) => !l.ok);
  const mark = (l: CheckLine) => (l.warning ? styled('caution', '!') : l.ok ? styled('good', '✓') : styled('bad', '✗'));
  return {
    data: found.map(({ code: _code, ...rest }) => rest),
    view: lines(...found.map((l) => [mark(l), ' ', styled('strong', l.check.padEnd(13)), ` ${l.detail}`])),
    notes: [
      ...gaps,
      ...(failed.length ? [info(`${failed.length} check${failed.length === 1 ? '' : 's'} failed.`)] : []),
    ],
    failures: failed.map((l) => l.code ?? ExitCode.Usage),
  };
}

/** The account the outbox is kept for; undefined when no partner ID is known (checkCredentials said so). */
async function accountKey(ctx: Context): Promise<string | undefined> {
  try {
    return (await ctx.account()).key;
  } catch {
    return undefined;
  }
}
