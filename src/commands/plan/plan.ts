/**
 * `safeweb plan`: checks the whole manifest, reads the book (the state, plus live assets and
 * webhook endpoints) and shows what `apply` would change. Sends nothing but reads.
 */
import type { ApiClient } from '../../api/client.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { loadManifest, type Manifest, type ManifestInput } from '../../manifest/load.js';
import { computePlan, planData, type Plan, type PlanData } from '../../manifest/plan.js';
import { SecretJournal } from '../../manifest/secret-journal.js';
import { BookState } from '../../manifest/state.js';
import { planLines } from '../../manifest/view.js';
import { lines, warn, type Outcome } from '../../outcome.js';

/** Plain options, so the MCP server can call it: a file, or the manifest itself (text or object). */
export interface PlanOptions {
  file?: string | undefined;
  manifest?: string | object | undefined;
  prune?: boolean | undefined;
  /** A state file instead of the local record. */
  state?: string | undefined;
  /** Plan each endpoint whose signing secret was lost as delete + create. */
  recreateLostSecrets?: boolean | undefined;
}

export interface PreparedPlan {
  manifest: Manifest;
  state: BookState;
  plan: Plan;
  data: PlanData;
  api: ApiClient;
}

function input(opts: PlanOptions): ManifestInput {
  if (opts.file !== undefined && opts.manifest !== undefined)
    throw new UsageError('give a manifest file or a manifest, not both');
  if (opts.file !== undefined) return { file: opts.file };
  if (opts.manifest !== undefined) return { manifest: opts.manifest };
  throw new UsageError('a manifest is needed', 'Pass --file FILE (YAML or JSON).');
}

/** Manifest checked first (nothing read or sent while it is invalid), then the state, then live reads. */
export async function preparePlan(opts: PlanOptions, ctx: Context): Promise<PreparedPlan> {
  const manifest = await loadManifest(input(opts), ctx.now());
  const account = await ctx.account();
  const state = BookState.read(ctx.configDir, account.key, opts.state);
  const api = await ctx.api();
  const unkept = SecretJournal.open(ctx.configDir, account.key).unkept();
  const plan = await computePlan(manifest, state, api, {
    prune: Boolean(opts.prune),
    unkept,
    recreateLost: Boolean(opts.recreateLostSecrets),
  });
  if (state.fresh) plan.warnings.unshift(`${state.file} does not exist yet: planning from an empty state.`);
  return { manifest, state, plan, data: planData(plan), api };
}

export async function runPlan(opts: PlanOptions, ctx: Context): Promise<Outcome<PlanData>> {
  const { plan, data } = await preparePlan(opts, ctx);
  const creates = plan.changes.filter((c) => c.kind === 'webhook' && c.action === 'create').length;
  const notes = plan.warnings.map((w) => warn(w));
  if (creates)
    notes.push(
      warn(
        `${creates} webhook endpoint${creates === 1 ? '' : 's'} would be created: \`apply\` needs --secret-dir DIR ` +
          'to keep each signing secret (it is never printed).',
      ),
    );
  return {
    data,
    view: lines(...planLines(plan, data, ctx.out.color)),
    notes,
    finding: data.summary.total > 0 ? `${data.summary.total} changes` : undefined,
  };
}
