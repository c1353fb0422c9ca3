import { addressesOf, checkAddresses, type Address, type CheckResult } from '../../breaches/check.js';
import type { Context } from '../../context.js';
import { readInput } from '../../io/read-input.js';
import { table, type Outcome } from '../../outcome.js';
import { CHECK_COLUMNS, CHECK_ERROR_COLUMN } from './columns.js';

export interface BreachCheckOptions {
  emails: string[];
  file?: string | undefined;
  /** At most one of the two (commander refuses both). */
  resolved?: boolean | undefined;
  unresolved?: boolean | undefined;
  exitStatus: boolean;
  /** 1 to 64 (commander's parsePositiveInt). */
  concurrency: number;
  maxRps?: number | undefined;
  /** NDJSON line per address as it is checked. */
  results?: string | undefined;
  /** Skip addresses already checked in this results file, and append to it. */
  resume?: string | undefined;
  /** Replace an existing results file that is not being resumed. */
  force?: boolean | undefined;
}

/** The arguments, then the lines of --file (blank lines and # comments skipped). */
async function gatherAddresses(opts: BreachCheckOptions, ctx: Context): Promise<Address[]> {
  const addresses = addressesOf(opts.emails);
  if (opts.file !== undefined) {
    const source = opts.file === '-' ? 'stdin' : opts.file;
    const lines = (await readInput(opts.file, ctx.streams.stdin)).split(/\r?\n/);
    lines.forEach((line, i) => {
      const email = line.trim();
      if (email && !email.startsWith('#')) addresses.push({ email, where: `${source} line ${i + 1}` });
    });
  }
  return addresses;
}

/**
 * `breach check`: breaches/check.ts checks; here, the table at the end. With --ndjson the sink
 * printed each result as it came, and the renderer prints no table or document after them.
 */
export async function runBreachCheck(
  opts: BreachCheckOptions,
  ctx: Context,
): Promise<Outcome<CheckResult[] | undefined>> {
  const checked = await checkAddresses(ctx, {
    addresses: await gatherAddresses(opts, ctx),
    resolved: opts.resolved ? true : opts.unresolved ? false : undefined,
    concurrency: opts.concurrency,
    maxRps: opts.maxRps,
    results: opts.results,
    resume: opts.resume,
    force: opts.force,
  });
  if (!checked.data) return checked;
  // The Error column only when an address failed: no empty column on a terminal or in a pipe.
  const failed = checked.data.some((r) => r.error);
  return {
    ...checked,
    view: table(
      failed ? [...CHECK_COLUMNS, CHECK_ERROR_COLUMN] : CHECK_COLUMNS,
      checked.data.map((r) => {
        const row = [r.email, r.error ? 'error' : r.breached ? 'yes' : 'no'];
        return failed ? [...row, r.error?.message ?? ''] : row;
      }),
      'Nothing to show.',
    ),
  };
}
