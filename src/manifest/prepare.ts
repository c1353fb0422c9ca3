/**
 * What `plan` and `apply` both start from: the manifest checked first (nothing read or sent while
 * it is invalid), then the state, then the live reads. Here, below both verbs, so neither front
 * door imports the other.
 */
import type { ApiClient } from '../api/client.js';
import { emptyBookWarning } from '../customers/reads.js';
import { UsageError } from '../errors.js';
import { warn, type Note } from '../outcome.js';
import { loadManifest, type Manifest, type ManifestInput } from './load.js';
import { manifestSizeCap } from './parse.js';
import { computePlan, planData, type Plan, type PlanData } from './plan.js';
import { SecretJournal } from './secret-journal.js';
import { BookState } from './state.js';

/** Plain options, so the MCP server can call it: a file, or the manifest itself (text or object). */
export interface PlanOptions {
  file?: string | undefined;
  manifest?: string | object | undefined;
  prune?: boolean | undefined;
  /** A state file instead of the local record. */
  state?: string | undefined;
  /** `plan --exit-status`: a check, so an empty book while another account has customers is exit 2. */
  exitStatus?: boolean | undefined;
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

/** What preparing a plan takes from the run (the Context has it). */
export interface PlanRun {
  now(): Date;
  /** SAFEWEB_MAX_MANIFEST_SIZE raises (or lowers) the manifest size cap. */
  readonly env: Record<string, string | undefined>;
  account(): Promise<{ key: string }>;
  readonly configDir: string;
  api(): Promise<ApiClient>;
}

function input(opts: PlanOptions): ManifestInput {
  if (opts.file !== undefined && opts.manifest !== undefined)
    throw new UsageError('give a manifest file or a manifest, not both');
  if (opts.file !== undefined) return { file: opts.file };
  if (opts.manifest !== undefined) return { manifest: opts.manifest };
  throw new UsageError('a manifest is needed', 'Pass --file FILE (YAML or JSON).');
}

/** Manifest checked first (nothing read or sent while it is invalid), then the state, then live reads. */
export async function preparePlan(opts: PlanOptions, run: PlanRun): Promise<PreparedPlan> {
  const manifest = await loadManifest(input(opts), run.now(), manifestSizeCap(run.env));
  const account = await run.account();
  const state = BookState.read(run.configDir, account.key, opts.state);
  // Planned against the local record of another spelling or profile, every customer would be a create.
  const elsewhere =
    opts.state === undefined
      ? emptyBookWarning(run.configDir, account.key, {
          check: opts.exitStatus ? '--exit-status would report creates of customers that are likely there' : undefined,
        })
      : undefined;
  const api = await run.api();
  const unkept = SecretJournal.open(run.configDir, account.key).unkept();
  const plan = await computePlan(manifest, state, api, {
    prune: Boolean(opts.prune),
    unkept,
    recreateLost: Boolean(opts.recreateLostSecrets),
  });
  if (elsewhere) plan.warnings.unshift(elsewhere);
  if (state.fresh) plan.warnings.unshift(`${state.file} does not exist yet: planning from an empty state.`);
  return { manifest, state, plan, data: planData(plan), api };
}

/** What a person is told with a plan: its warnings, and that new endpoints need --secret-dir to apply. */
export function planNotes(plan: Plan): Note[] {
  const creates = plan.changes.filter((c) => c.kind === 'webhook' && c.action === 'create').length;
  const notes = plan.warnings.map((w) => warn(w));
  if (creates)
    notes.push(
      warn(
        `${creates} webhook endpoint${creates === 1 ? '' : 's'} would be created: \`apply\` needs --secret-dir DIR ` +
          'to keep each signing secret (it is never printed).',
      ),
    );
  return notes;
}
