/**
 * What the psa verbs share: the connection's settings from flags or `key=value` pairs, the
 * private key from stdin, a file or a hidden prompt (never a flag value), and the ticket policy
 * offered from ConnectWise's live lists on a terminal.
 */
import type { ConnectWiseConnection } from '../../config/integrations.js';
import { NAME_PATTERN, PRIORITY_BANDS } from '../../config/integrations-schema.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readSecret } from '../../io/read-secret.js';
import { checkPolicy, usableStatuses } from '../../psa/policy.js';
import type { PsaClient } from '../../psa/types.js';

/**
 * Flags someone may reach for to give the private key on the command line: declared (hidden) so
 * commander parses them rather than echo the value in an "unknown option" error, then refused.
 */
export const KEY_FLAGS = ['private-key', 'secret', 'password', 'key'] as const;

type Band = (typeof PRIORITY_BANDS)[number];
type Policy = Partial<ConnectWiseConnection>;

/** The ticket-policy flags `psa add` and `psa set` share. */
export interface PolicyFlags {
  board?: string | undefined;
  newStatus?: string | undefined;
  closedStatus?: string | undefined;
  /** `critical=Priority 1 - Emergency Response`, repeatable. */
  priority?: string[] | undefined;
  source?: string | undefined;
  type?: string | undefined;
  grouping?: string | undefined;
  reopenDays?: number | undefined;
  resolveOnClose?: boolean | undefined;
  offboard?: string | undefined;
  fallbackCompany?: string | undefined;
  mask?: boolean | undefined;
}

export interface KeyFlags {
  privateKeyStdin: boolean;
  privateKeyFile?: string | undefined;
  /** Flags that tried to carry the key: refused, never echoed. */
  keyGiven: string[];
}

/** The flags that give a value, named as the user typed them: `--private-key`. */
export function keyFlagsGiven(opts: Record<string, unknown>): string[] {
  return KEY_FLAGS.filter((flag) => opts[flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] !== undefined).map(
    (flag) => `--${flag}`,
  );
}

/** Exit 2 in one line, never repeating the value, when the key came as a flag. */
export function refuseKeyFlags(given: string[]): void {
  if (given.length)
    throw new UsageError(
      `the private key is never taken as a flag value (${[...new Set(given)].join(', ')}): it would stay in shell history and process lists`,
      'Pipe it in with --private-key-stdin, give --private-key-file FILE, or leave both out to be asked (input hidden).',
    );
}

export function checkConnectionName(name: string): string {
  if (new RegExp(NAME_PATTERN).test(name)) return name;
  throw new UsageError(
    `invalid connection name "${name}"`,
    'Use lower-case letters, digits, "-" or "_" (at most 40), e.g. cw or connectwise-eu.',
  );
}

/** An ID as digits becomes a number; a name stays text. */
export const ref = (value: string): number | string => (/^\d+$/.test(value.trim()) ? Number(value) : value.trim());

/** The private key from stdin or a file, else a hidden prompt on a terminal (exit 2 without one). */
export async function readPrivateKey(opts: KeyFlags, name: string, ctx: Context): Promise<string> {
  const what = `private key of connection ${name}`;
  const key =
    opts.privateKeyStdin || opts.privateKeyFile
      ? await readSecret({ file: opts.privateKeyFile, stdin: opts.privateKeyStdin }, ctx.streams.stdin, what, (t) =>
          ctx.out.warn(t),
        )
      : await (
          await ctx.prompter(`Pipe the ${what} in with --private-key-stdin, or give --private-key-file FILE.`)
        ).password({
          message: `ConnectWise private key of "${name}"`,
          validate: (v) => (v.trim() === '' ? 'Give the key.' : /\s/.test(v) ? 'The key has no spaces.' : true),
        });
  ctx.holdSecret(key);
  return key;
}

/** `critical=Priority 1` → ['critical', 'Priority 1']; exit 2 for a band that does not exist. */
function priorityPair(text: string): [Band, number | string] {
  const at = text.indexOf('=');
  const band = text.slice(0, at).trim().toLowerCase() as Band;
  if (at < 1 || !PRIORITY_BANDS.includes(band) || text.slice(at + 1).trim() === '')
    throw new UsageError(
      `--priority ${text}: give BAND=PRIORITY, BAND one of ${PRIORITY_BANDS.join(', ')}`,
      'For example: --priority critical="Priority 1 - Emergency Response" --priority low=4',
    );
  return [band, ref(text.slice(at + 1))];
}

/** The settings the policy flags give (only those given). */
export function policyFromFlags(flags: PolicyFlags): Policy {
  const out: Policy = {};
  if (flags.board !== undefined) out.board = ref(flags.board);
  if (flags.newStatus !== undefined || flags.closedStatus !== undefined)
    out.statuses = {
      ...(flags.newStatus === undefined ? {} : { new: ref(flags.newStatus) }),
      ...(flags.closedStatus === undefined ? {} : { closed: ref(flags.closedStatus) }),
    };
  if (flags.priority?.length) out.priorities = Object.fromEntries(flags.priority.map(priorityPair));
  if (flags.source !== undefined) out.source = ref(flags.source);
  if (flags.type !== undefined) out.type = ref(flags.type);
  if (flags.grouping !== undefined) out.grouping = flags.grouping as Policy['grouping'];
  if (flags.reopenDays !== undefined) out.reopenDays = flags.reopenDays;
  if (flags.resolveOnClose !== undefined) out.resolveOnClose = flags.resolveOnClose;
  if (flags.offboard !== undefined) out.offboard = flags.offboard as Policy['offboard'];
  if (flags.fallbackCompany !== undefined) out.fallbackCompany = ref(flags.fallbackCompany);
  if (flags.mask !== undefined) out.mask = flags.mask;
  return out;
}

/**
 * On a terminal, what the flags left out of the board, the new and closed statuses and a priority
 * per band, chosen from ConnectWise's live lists; then everything named, checked against them
 * (exit 2 for a name that names nothing, listing the valid ones).
 */
export async function choosePolicy(client: PsaClient, name: string, given: Policy, ctx: Context): Promise<Policy> {
  const policy: Policy = { ...given, statuses: { ...given.statuses }, priorities: { ...given.priorities } };
  if (ctx.interactive) {
    const prompter = await ctx.prompter('Give the policy with --board, --new-status, --closed-status, --priority.');
    if (policy.board === undefined) {
      const boards = await client.boards();
      policy.board = await prompter.select({
        message: 'Board for the tickets',
        choices: boards.map((b) => ({ name: b.name, value: b.name })),
      });
    }
    const board = (await checkPolicy(client, name, { board: policy.board })).board!;
    const statuses =
      policy.statuses!.new === undefined || policy.statuses!.closed === undefined
        ? await client.statuses(board.id)
        : [];
    const pick = async (message: string, closed: boolean) => {
      const usable = usableStatuses(statuses, closed);
      return prompter.select({
        message,
        choices: usable.map((s) => ({ name: s.name, value: s.name })),
        default: (usable.find((s) => s.default) ?? usable[0])?.name,
      });
    };
    policy.statuses!.new ??= await pick(`Status of a new ticket (board ${board.name})`, false);
    policy.statuses!.closed ??= await pick(`Status that closes a ticket (board ${board.name})`, true);
    const missing = PRIORITY_BANDS.filter((band) => policy.priorities![band] === undefined);
    const priorities = missing.length ? await client.priorities() : [];
    for (const [i, band] of PRIORITY_BANDS.entries()) {
      if (!missing.includes(band)) continue;
      const chosen = await prompter.select({
        message: `Priority of a ticket for a ${band} customer`,
        choices: [
          ...priorities.map((p) => ({ name: p.name, value: p.name })),
          { name: '(none: ConnectWise’s default)', value: '' },
        ],
        default: priorities[Math.min(i, priorities.length - 1)]?.name,
      });
      if (chosen) policy.priorities![band] = chosen;
    }
  }
  if (Object.keys(policy.statuses!).length === 0) delete policy.statuses;
  if (Object.keys(policy.priorities!).length === 0) delete policy.priorities;
  await checkPolicy(client, name, policy);
  return policy;
}

/** The secret-store entry a new connection's key goes in: psa/<name> ("_" as "-", as secret names are). */
export function secretNameFor(name: string): string {
  return `psa/${name.replace(/_/g, '-').replace(/-+$/, '')}`;
}
