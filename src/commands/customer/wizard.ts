/**
 * The onboarding wizard: one question per field of the table (fields.ts), in its order,
 * validated as you type, with defaults (from flags or file, else remembered per profile, else
 * the table's suggestion or the server's default), a summary and a confirmation.
 */
import { writeNewFile } from '../../io/safe-write.js';
import { updateConfig } from '../../config/store.js';
import type { Context } from '../../context.js';
import {
  AT_LEAST_ONE,
  FIELDS,
  SCHEMA_KEY,
  onboardCommand,
  type FieldSpec,
  type OnboardingRequest,
} from '../../customers/fields.js';
import { domainProblem, emailProblem, parseDateInput, pastDate } from '../../customers/field-checks.js';
import type { RecordedReferences } from '../../customers/recorded.js';
import { CancelledError } from '../../errors.js';
import { info, success, warn, type Note } from '../../outcome.js';
import { afterChange, type Prompter } from '../../prompt/prompter.js';
import { isLocale } from '../parse.js';

/** A value as the wizard shows it; nothing for an empty one. */
const shown = (value: unknown): string | undefined =>
  Array.isArray(value)
    ? value.join(', ') || undefined
    : value === undefined || value === ''
      ? undefined
      : String(value);
const split = (value: string): string[] =>
  value
    .split(/[,\s]+/)
    .map((v) => v.trim())
    .filter(Boolean);

function listProblem(value: string, check: (v: string) => string | undefined): string | undefined {
  for (const item of split(value)) {
    const problem = check(item);
    if (problem) return problem;
  }
  return undefined;
}

/** "Globex Widgets International" -> "GLOBEX-WIDGETS": whole words, at most 24 characters. */
function suggestReference(companyName: string): string {
  const words = companyName
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  let ref = '';
  for (const word of words) {
    const next = ref ? `${ref}-${word}` : word;
    if (next.length > 24) break;
    ref = next;
  }
  return ref || (words[0] ?? '').slice(0, 24);
}

/** What a question needs besides its field: the answers so far, and checks against the wider world. */
interface Asking {
  prompter: Prompter;
  ctx: Context;
  answers: Record<string, unknown>;
  /** The suggestion: from flags or file, else remembered, else the table's. */
  suggestion: string | boolean | undefined;
  /** An extra check of a text answer (the reference must be new to the local record). */
  check?: ((value: string) => string | undefined) | undefined;
}

/**
 * The answers, as typed: a relative date stays `now+1d` (the caller turns it into a date when it
 * validates, just before sending), so the saved file and the printed command can be run again.
 */
export async function onboardingWizard(
  ctx: Context,
  initial: Record<string, unknown>,
  recorded: RecordedReferences,
): Promise<Record<string, unknown>> {
  ctx.guard.refuseIfReadOnly(await ctx.resolved(), 'onboarding a customer');
  const prompter = await ctx.prompter('Supply the fields with --file or flags instead.');
  const account = await ctx.account();
  const prefs = (await ctx.config()).preferences?.[account.profile ?? account.key] ?? {};
  ctx.out.info('Onboard a customer. Press Ctrl+C at any time to stop; nothing is sent until you confirm.');

  const answers: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (!field.ask) continue;
    const q = field.ask;
    let suggestion =
      shown(initial[field.key]) ??
      (q.remember ? prefs[field.key] : undefined) ??
      shown(q.suggestFrom ? answers[q.suggestFrom] : undefined) ??
      q.suggest ??
      field.default;
    if (field.kind === 'boolean')
      suggestion = typeof initial[field.key] === 'boolean' ? (initial[field.key] as boolean) : field.default;
    let check: Asking['check'];
    if (field.key === 'customerReference') {
      // Unique per partner: the local record knows the ones this tool created.
      suggestion ??= suggestReference(String(answers['companyName'] ?? ''));
      check = (v) => {
        const taken = recorded.problem(v);
        return taken && `${taken}; choose another.`;
      };
    }
    answers[field.key] = await ask(field, { prompter, ctx, answers, suggestion, check });
  }

  const doc: Record<string, unknown> = { ...initial };
  for (const [key, value] of Object.entries(answers)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) delete doc[key];
    else doc[key] = value;
  }

  // The summary is talk, not data: stderr, so `--json` output stays one document.
  const rows = FIELDS.filter((f) => doc[f.key] !== undefined).map((f) => [f.key, summaryValue(f, doc[f.key], ctx)]);
  await ctx.out.tableOnStderr(['Field', 'Value'], rows);
  const what = `${String(doc['companyName'])} (${String(doc['customerReference'])})`;
  const where = ctx.guard.confirmTarget(await ctx.resolved(), {
    action: `Onboard ${what}`,
    operation: 'customerOnboard',
    yes: false,
  });
  if (!(await prompter.confirm({ message: `Onboard ${what}${where}?`, default: true })))
    throw new CancelledError('Nothing was sent.');
  return doc;
}

/** One question, asked the way its kind needs; the answer as the document holds it. */
async function ask(field: FieldSpec, a: Asking): Promise<unknown> {
  const q = field.ask!;
  const text = (validate: (v: string) => true | string) =>
    a.prompter.input({ message: q.message, default: shown(a.suggestion), validate });
  const needed = q.needed ?? `${field.key} is needed.`;
  switch (field.kind) {
    case 'string':
    case 'email':
      return (
        (
          await text((raw) => {
            const v = raw.trim();
            if (!v) return field.required || q.check ? needed : true;
            if (q.check === 'locale' && !isLocale(v)) return needed;
            return (field.kind === 'email' ? emailProblem(v) : a.check?.(v)) ?? true;
          })
        ).trim() || undefined
      );
    case 'domains':
    case 'emails': {
      const problem = field.kind === 'domains' ? domainProblem : emailProblem;
      // The last list of the "at least one" group refuses to leave the whole group empty.
      const group = AT_LEAST_ONE as readonly string[];
      const lastOfGroup = group.at(-1) === field.key;
      const groupEmpty = () =>
        group.every((key) => key === field.key || !(a.answers[key] as unknown[] | undefined)?.length);
      return split(
        await text((v) => {
          if (split(v).length === 0 && field.minItems) return needed;
          if (split(v).length === 0 && lastOfGroup && groupEmpty())
            return 'Give at least one domain or email to monitor.';
          return listProblem(v, problem) ?? true;
        }),
      );
    }
    case 'number': {
      const min = field.minimum ?? -Infinity;
      return Number(
        await text((v) => (v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= min ? true : needed)),
      );
    }
    case 'date':
      return askDate(field, a);
    case 'enum':
      return a.prompter.select({
        message: q.message,
        choices: (field.choices ?? []).map((c) => ({ name: c, value: c })),
        default: a.suggestion as string | undefined,
      });
    case 'boolean':
      return a.prompter.confirm({ message: q.message, default: a.suggestion === true });
  }
}

/** A summary cell: a relative date with the date it means now. */
function summaryValue(field: FieldSpec, value: unknown, ctx: Context): string {
  const text = shown(value) ?? '';
  return field.kind === 'date' && isRelative(text) ? `${text} (${parseDateInput(text, ctx.now())})` : text;
}

const isRelative = (value: string): boolean => /^now/i.test(value.trim());

/**
 * A date, ISO or relative (`now+5m`), kept as typed (a relative one in lower case, as the
 * published schema spells it). One that must be in the future is asked again when it is not,
 * even within the few minutes a flag or file may be off by: a person can simply answer again.
 */
async function askDate(field: FieldSpec, a: Asking): Promise<string | undefined> {
  const answer = await a.prompter.input({
    message: field.ask!.message,
    default: shown(a.suggestion),
    validate: (v) => {
      if (!v.trim() && !field.required) return true;
      const parsed = parseDateInput(v.trim(), a.ctx.now());
      if (!parsed) return 'An ISO 8601 date-time such as 2026-06-01T00:00:00Z, or now+5m.';
      if (pastDate(field, parsed, a.ctx.now()))
        return `It must be in the future: the API rejects past ${field.future} (e.g. now+5m).`;
      return true;
    },
  });
  const typed = answer.trim();
  return !typed ? undefined : isRelative(typed) ? typed.toLowerCase() : typed;
}

/**
 * After a wizard onboarding: remember the answers the table marks, offer the answers as a file,
 * and give the same onboarding as a command. Returns what to say after the result.
 */
export async function afterWizard(
  ctx: Context,
  body: OnboardingRequest,
  answers: Record<string, unknown>,
  account: { key: string; profile: string | undefined },
): Promise<Note[]> {
  const notes: Note[] = [];
  // The customer exists now: what follows may fail or be cancelled, and the run still ends as
  // the onboarding did (exit 0, its ID shown), with a note of what was not done.
  const remembered = await afterChange(
    () =>
      updateConfig(ctx.configDir, (data) => {
        data.preferences ??= {};
        data.preferences[account.profile ?? account.key] = Object.fromEntries(
          FIELDS.filter((f) => f.ask?.remember).map((f) => [f.key, String(body[f.key] ?? f.default)]),
        );
      }),
    'the answers were not remembered for next time',
  );
  if (!remembered.done) notes.push(warn(remembered.why));
  const saved = await afterChange(() => saveAnswers(ctx, body, answers), 'the answers were not saved');
  if (saved.done) notes.push(...saved.value);
  else notes.push(warn(saved.why));
  notes.push(
    info('The same onboarding without the wizard (with a new --reference: each customer needs its own):'),
    info(`  ${onboardCommand(answers)}`),
  );
  return notes;
}

/** "Save these answers as a JSON file?" and, if so, where: the notes to say. */
async function saveAnswers(ctx: Context, body: OnboardingRequest, answers: Record<string, unknown>): Promise<Note[]> {
  const prompter = await ctx.prompter('');
  if (!(await prompter.confirm({ message: 'Save these answers as a JSON file for --file?', default: false })))
    return [];
  const file = (
    await prompter.input({
      message: 'File name',
      default: `${body.customerReference.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`,
      validate: (v) => (v.trim() ? true : 'A file name is needed.'),
    })
  ).trim();
  const { [SCHEMA_KEY]: _schema, ...saved } = answers;
  try {
    writeNewFile(file, `${JSON.stringify(saved, null, 2)}\n`, 'saved answers');
    return [success(`Saved ${file}. Change customerReference before reusing it: each customer needs its own.`)];
  } catch (error) {
    // The customer is onboarded already: a file that cannot be written is a warning, not a failure.
    return [warn(`could not save the answers: ${(error as Error).message}`)];
  }
}
