/**
 * What a ticket and its notes say: what was found and what to do — the customer, the breach, its
 * date, the data exposed, the affected addresses (unmasked unless the connection masks them:
 * technicians need the address), next steps — and the full finding keys, so a person or a SIEM
 * can join the ticket to the page and the message about the same breach. Never a magic link, a
 * key or anything else secret: nothing here comes from anywhere but the book's findings.
 *
 * Every note the tool adds begins with its marker line (`[safeweb:note:…]`): the sync looks for
 * it before adding a note a second time. Plain text: ConnectWise shows notes as written.
 */
import { maskEmail } from '../safety/mask.js';
import type { ActionFinding, PsaAction } from './plan.js';

/** ConnectWise's summary holds 100 characters. */
const SUMMARY_MAX = 100;
/** What one ticket lists of a breach's addresses before "and N more". */
const ADDRESSES_MAX = 200;

export interface TextOptions {
  mask: boolean;
  /** The PSA, as the text names it ("ConnectWise"). */
  psa: string;
}

type Create = Extract<PsaAction, { kind: 'create' }>;

/** One line, no control characters, cut to `max` with an ellipsis. */
function line(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}\u2026`;
}

export function ticketSummary(action: Create): string {
  const who = line(action.companyName, 40);
  if (action.group === 'customer') return line(`SafeWeb: dark-web exposure at ${who}`, SUMMARY_MAX);
  const breach = action.findings[0]?.breach;
  return line(`SafeWeb: ${who} in the ${breach?.title || breach?.breachName || 'unknown'} breach`, SUMMARY_MAX);
}

function addresses(emails: readonly string[], mask: boolean): string[] {
  const shown = emails.slice(0, ADDRESSES_MAX).map((e) => `  - ${line(mask ? maskEmail(e) : e, 254)}`);
  if (emails.length > ADDRESSES_MAX) shown.push(`  … and ${emails.length - ADDRESSES_MAX} more`);
  return shown;
}

function findingBlock(f: ActionFinding, mask: boolean): string[] {
  const b = f.breach;
  if (!b) return [`Finding ${f.key} (breach ${f.breachId || 'unknown'})`];
  return [
    `Breach: ${line(b.title || b.breachName, 200)} (${b.breachDate.slice(0, 10)})`,
    ...(b.dataClasses.length ? [`Data exposed: ${line(b.dataClasses.join(', '), 500)}`] : []),
    `Affected addresses (${b.emails.length}):`,
    ...addresses(b.emails, mask),
    `Breach ID: ${b.breachId}`,
    `Finding key: ${f.key}`,
  ];
}

const NEXT_STEPS = [
  'Reset the password of each affected account, and anywhere the same password was used.',
  'Turn on multi-factor authentication for those accounts.',
  'Warn the people affected: expect phishing that uses the exposed data.',
];

export function ticketDescription(action: Create, options: TextOptions): string {
  const steps = [...new Set(action.findings.flatMap((f) => f.breach?.nextSteps ?? []).map((s) => line(s, 300)))];
  return [
    `SafeWeb found addresses of ${line(action.companyName, 200)} exposed in ${
      action.findings.length === 1 ? 'a data breach' : `${action.findings.length} data breaches`
    }.`,
    '',
    `Customer: ${line(action.companyName, 200)} (reference ${line(action.reference, 100)}, SafeWeb ID ${action.customerId})`,
    ...(action.band ? [`Threat band: ${action.band}`] : []),
    ...(action.unmapped
      ? [
          `This customer has no company in ${options.psa}: the ticket is filed under the fallback company.`,
          'Map it with `safeweb psa map --write`.',
        ]
      : []),
    '',
    ...action.findings.flatMap((f) => [...findingBlock(f, options.mask), '']),
    'What to do:',
    ...[...(steps.length ? steps : []), ...NEXT_STEPS].map((s, i) => `  ${i + 1}. ${s}`),
    `  When done, close this ticket: SafeWeb then marks ${action.findings.length === 1 ? 'the breach' : 'these breaches'} resolved.`,
    '',
    `Ticket key: ${action.key}`,
  ].join('\n');
}

type Noted = Extract<PsaAction, { kind: 'note' | 'close' | 'reopen' }>;

/** A note's text: its marker line first, then what happened and the finding keys. */
export function noteText(action: Noted, options: TextOptions): string {
  const head = `[${action.marker}]`;
  const body = (() => {
    if (action.kind === 'reopen') return ['SafeWeb reports this again: reopened.', ''];
    if (action.kind === 'close') {
      if (action.reason === 'offboarded')
        return ['The customer was offboarded from SafeWeb: monitoring has stopped, so this ticket is closed.', ''];
      return ['SafeWeb marks this resolved: closing the ticket.', ''];
    }
    if (action.reason === 'added') return ['SafeWeb found more:', ''];
    return ['SafeWeb marks this resolved:', ''];
  })();
  const findings = action.findings.flatMap((f) =>
    action.kind === 'note' && action.reason === 'added'
      ? [...findingBlock(f, options.mask), '']
      : [`Finding key: ${f.key}${f.breach ? ` (${line(f.breach.title || f.breach.breachName, 200)})` : ''}`],
  );
  return [head, ...body, ...findings, `Ticket key: ${action.key}`].join('\n');
}
