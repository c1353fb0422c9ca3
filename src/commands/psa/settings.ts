/**
 * What the psa verbs share: the connection's settings from flags or `key=value` pairs, its secrets
 * (ConnectWise's private key; Autotask's secret and integration code; Halo's client secret) from stdin, a file or a
 * hidden prompt (never a flag value), and the ticket policy offered from the PSA's live lists on
 * a terminal.
 */
import type { PolicySettings } from '../../config/integrations.js';
import { NAME_PATTERN, PRIORITY_BANDS } from '../../config/integrations-schema.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readSecret } from '../../io/read-secret.js';
import { checkPolicy, CONNECTWISE_WORDS, usableStatuses, type PolicyWords } from '../../psa/policy.js';
import type { PsaClient } from '../../psa/types.js';

/**
 * Flags someone may reach for to give the private key on the command line: declared (hidden) so
 * commander parses them rather than echo the value in an "unknown option" error, then refused.
 */
export const KEY_FLAGS = ['private-key', 'secret', 'password', 'key', 'integration-code'] as const;

type Band = (typeof PRIORITY_BANDS)[number];
type Policy = Partial<PolicySettings>;

/** The ticket-policy flags `psa add` and `psa set` share. */
export interface PolicyFlags {
  board?: string | undefined;
  /** Autotask's word for the board. */
  queue?: string | undefined;
  /** Autotask's word for the type; Halo's for the board. */
  ticketType?: string | undefined;
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
  /** Autotask: the API user's secret, and the integration code (API tracking identifier); Halo: the client secret. */
  secretStdin?: boolean | undefined;
  secretFile?: string | undefined;
  integrationCodeStdin?: boolean | undefined;
  integrationCodeFile?: string | undefined;
  /** Flags that tried to carry the key: refused, never echoed. */
  keyGiven: string[];
}

/** The flags that give a value, named as the user typed them: `--private-key`. */
export function keyFlagsGiven(opts: Record<string, unknown>): string[] {
  return KEY_FLAGS.filter((flag) => opts[flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] !== undefined).map(
    (flag) => `--${flag}`,
  );
}

/** Exit 2 in one line, never repeating the value, when the key (Autotask: a secret) came as a flag. */
export function refuseKeyFlags(given: string[], kind: string = 'connectwise'): void {
  if (!given.length) return;
  const flags = [...new Set(given)].join(', ');
  if (kind === 'halo')
    throw new UsageError(
      `the client secret is never taken as a flag value (${flags}): it would stay in shell history and process lists`,
      'Pipe it in with --secret-stdin, give --secret-file FILE, or leave both out to be asked (input hidden).',
    );
  if (kind === 'autotask')
    throw new UsageError(
      `the secret and the integration code are never taken as flag values (${flags}): they would stay in shell history and process lists`,
      'Give each with --secret-file FILE and --integration-code-file FILE (or one of them on stdin: --secret-stdin, --integration-code-stdin), or leave them out to be asked (input hidden).',
    );
  throw new UsageError(
    `the private key is never taken as a flag value (${flags}): it would stay in shell history and process lists`,
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

/**
 * An Autotask connection's secret and integration code, each from its file or stdin (one of them
 * at most on stdin), else a hidden prompt on a terminal; only those `want` names.
 */
export async function readAutotaskSecrets(
  opts: KeyFlags,
  name: string,
  ctx: Context,
  want: { secret: boolean; integrationCode: boolean },
): Promise<{ secret?: string | undefined; integrationCode?: string | undefined }> {
  if (opts.secretStdin && opts.integrationCodeStdin)
    throw new UsageError(
      'stdin can carry one of the secret and the integration code, not both',
      'Give the other with --secret-file FILE or --integration-code-file FILE.',
    );
  const one = async (stdin: boolean | undefined, file: string | undefined, what: string, flag: string) => {
    const value =
      stdin || file
        ? await readSecret({ file, stdin }, ctx.streams.stdin, `${what} of connection ${name}`, (t) => ctx.out.warn(t))
        : await (
            await ctx.prompter(`Give the ${what} with ${flag}-file FILE, or pipe it in with ${flag}-stdin.`)
          ).password({
            message: `Autotask ${what} of "${name}"`,
            validate: (v) => (v.trim() === '' ? 'Give it.' : /\s/.test(v) ? 'It has no spaces.' : true),
          });
    ctx.holdSecret(value);
    return value;
  };
  return {
    ...(want.secret ? { secret: await one(opts.secretStdin, opts.secretFile, 'secret', '--secret') } : {}),
    ...(want.integrationCode
      ? {
          integrationCode: await one(
            opts.integrationCodeStdin,
            opts.integrationCodeFile,
            'integration code',
            '--integration-code',
          ),
        }
      : {}),
  };
}

/** A Halo connection's client secret from stdin or a file, else a hidden prompt on a terminal (exit 2 without one). */
export async function readHaloSecret(opts: KeyFlags, name: string, ctx: Context): Promise<string> {
  const what = `client secret of connection ${name}`;
  const secret =
    opts.secretStdin || opts.secretFile
      ? await readSecret({ file: opts.secretFile, stdin: opts.secretStdin }, ctx.streams.stdin, what, (t) =>
          ctx.out.warn(t),
        )
      : await (
          await ctx.prompter(`Pipe the ${what} in with --secret-stdin, or give --secret-file FILE.`)
        ).password({
          message: `HaloPSA client secret of "${name}"`,
          validate: (v) => (v.trim() === '' ? 'Give the secret.' : /\s/.test(v) ? 'The secret has no spaces.' : true),
        });
  ctx.holdSecret(secret);
  return secret;
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

/** The settings the policy flags give (only those given), in the tool's words: Halo's --ticket-type is the board. */
export function policyFromFlags(flags: PolicyFlags, kind = 'connectwise'): Policy {
  const out: Policy = {};
  const halo = kind === 'halo';
  const board = halo ? flags.ticketType : (flags.board ?? flags.queue);
  if (board !== undefined) out.board = ref(board);
  if (flags.newStatus !== undefined || flags.closedStatus !== undefined)
    out.statuses = {
      ...(flags.newStatus === undefined ? {} : { new: ref(flags.newStatus) }),
      ...(flags.closedStatus === undefined ? {} : { closed: ref(flags.closedStatus) }),
    };
  if (flags.priority?.length) out.priorities = Object.fromEntries(flags.priority.map(priorityPair));
  if (flags.source !== undefined) out.source = ref(flags.source);
  const type = halo ? flags.type : (flags.type ?? flags.ticketType);
  if (type !== undefined) out.type = ref(type);
  if (flags.grouping !== undefined) out.grouping = flags.grouping as Policy['grouping'];
  if (flags.reopenDays !== undefined) out.reopenDays = flags.reopenDays;
  if (flags.resolveOnClose !== undefined) out.resolveOnClose = flags.resolveOnClose;
  if (flags.offboard !== undefined) out.offboard = flags.offboard as Policy['offboard'];
  if (flags.fallbackCompany !== undefined) out.fallbackCompany = ref(flags.fallbackCompany);
  if (flags.mask !== undefined) out.mask = flags.mask;
  return out;
}

/**
 * On a terminal, what the flags left out of the board (Autotask: the queue), the new and closed
 * statuses and a priority per band, chosen from the PSA's live lists; then everything named,
 * checked against them (exit 2 for a name that names nothing, listing the valid ones).
 */
export async function choosePolicy(
  client: PsaClient,
  name: string,
  given: Policy,
  ctx: Context,
  words: PolicyWords = CONNECTWISE_WORDS,
): Promise<Policy> {
  const policy: Policy = { ...given, statuses: { ...given.statuses }, priorities: { ...given.priorities } };
  if (ctx.interactive) {
    const prompter = await ctx.prompter(
      `Give the policy with ${words.flags.board}, --new-status, --closed-status, --priority.`,
    );
    if (policy.board === undefined) {
      const boards = await client.boards();
      policy.board = await prompter.select({
        message: `${words.board[0]!.toUpperCase()}${words.board.slice(1)} for the tickets`,
        choices: boards.map((b) => ({ name: b.name, value: b.name })),
      });
    }
    const board = (await checkPolicy(client, name, { board: policy.board }, policy.board, words)).board!;
    const statuses =
      policy.statuses!.new === undefined || policy.statuses!.closed === undefined
        ? await client.statuses(board.id)
        : [];
    const where = words.statusesPerBoard ? ` (${words.board} ${board.name})` : '';
    const pick = async (message: string, closed: boolean) => {
      const usable = usableStatuses(statuses, closed);
      return prompter.select({
        message,
        choices: usable.map((s) => ({ name: s.name, value: s.name })),
        default: (usable.find((s) => s.default) ?? usable[0])?.name,
      });
    };
    policy.statuses!.new ??= await pick(`Status of a new ticket${where}`, false);
    policy.statuses!.closed ??= await pick(`Status that closes a ticket${where}`, true);
    const missing = PRIORITY_BANDS.filter((band) => policy.priorities![band] === undefined);
    // A PSA whose priorities are taken by ID (Halo) has no list to choose from: --priority BAND=ID gives them.
    const priorities = missing.length && !words.prioritiesById ? await client.priorities() : [];
    for (const [i, band] of PRIORITY_BANDS.entries()) {
      if (!missing.includes(band) || words.prioritiesById) continue;
      const chosen = await prompter.select({
        message: `Priority of a ticket for a ${band} customer`,
        choices: [
          ...priorities.map((p) => ({ name: p.name, value: p.name })),
          { name: `(none: ${words.farSide}’s default)`, value: '' },
        ],
        default: priorities[Math.min(i, priorities.length - 1)]?.name,
      });
      if (chosen) policy.priorities![band] = chosen;
    }
  }
  if (Object.keys(policy.statuses!).length === 0) delete policy.statuses;
  if (Object.keys(policy.priorities!).length === 0) delete policy.priorities;
  await checkPolicy(client, name, policy, policy.board, words);
  return policy;
}

/**
 * The policy in a kind's own keys: Autotask's board is its `queue`, its type `ticketType`; Halo's
 * board its `ticketType` (it has no type beside it); ConnectWise keeps the tool's words.
 */
export function toKindPolicy(kind: string, policy: Policy): Record<string, unknown> {
  if (kind === 'halo') {
    const { board, type: _type, ...rest } = policy;
    return { ...(board === undefined ? {} : { ticketType: board }), ...rest };
  }
  if (kind !== 'autotask') return policy;
  const { board, type, ...rest } = policy;
  return {
    ...(board === undefined ? {} : { queue: board }),
    ...rest,
    ...(type === undefined ? {} : { ticketType: type }),
  };
}

/** The secret-store entry a new connection's key goes in: psa/<name> ("_" as "-", as secret names are). */
export function secretNameFor(name: string): string {
  return `psa/${name.replace(/_/g, '-').replace(/-+$/, '')}`;
}
