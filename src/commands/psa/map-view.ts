/** How `psa map` shows its records to a person: the table's rows and the notes under it. */
import { hint, info, styled, success, warn, type Cell, type Note } from '../../outcome.js';
import type { CustomerMatch, MatchKind } from '../../psa/match.js';
import type { PsaCompany } from '../../psa/types.js';

/** One customer of `psa map`, as --json prints it. */
export interface PsaMapRecord extends Omit<CustomerMatch, 'kind'> {
  match: MatchKind;
  /** Where its tickets go while it has no company here: the connection's fallback company, else null. */
  fallback: PsaCompany | null;
  /** --write saved its mapping in this run. */
  written: boolean;
}

const TONE: Record<MatchKind, 'good' | 'caution' | 'bad'> = {
  mapped: 'good',
  identifier: 'good',
  exact: 'good',
  normalised: 'good',
  ambiguous: 'caution',
  unmapped: 'bad',
};

const named = (c: PsaCompany) => `${c.identifier} ${c.name} (${c.id})`;

function noteOf(r: PsaMapRecord, suggest: boolean): string {
  const parts: string[] = [];
  if (r.mapping) parts.push(r.mapping.source === 'csv' ? 'from the table' : `in the ${r.mapping.source}`);
  if (r.elsewhere) parts.push(`through connection ${r.elsewhere}`);
  if (r.problem) parts.push(r.problem);
  if (r.reason === 'several')
    parts.push(
      suggest
        ? `candidates: ${r.candidates.map(named).join('; ')}`
        : `${r.candidates.length} candidates (--suggest lists them)`,
    );
  if (r.reason === 'shared' && suggest) parts.push(`candidate: ${r.candidates.map(named).join('; ')}`);
  if (r.sharedWith.length) parts.push(`same company as ${r.sharedWith.join(', ')}`);
  if (r.match === 'unmapped' && suggest && r.candidates.length)
    parts.push(`similar: ${r.candidates.map(named).join('; ')}`);
  if (r.fallback) parts.push(`tickets go to ${r.fallback.identifier} (fallback)`);
  if (r.written) parts.push('written');
  return parts.join('; ');
}

export function row(r: PsaMapRecord, suggest: boolean): Cell[] {
  return [
    r.reference,
    r.companyName,
    styled(TONE[r.match], r.match),
    r.company?.id ?? '',
    r.company?.identifier ?? '',
    r.company?.name ?? '',
    noteOf(r, suggest),
  ];
}

export function summary(records: PsaMapRecord[], o: { write: boolean; suggest: boolean; where: string }): Note[] {
  const count = (kinds: MatchKind[]) => records.filter((r) => kinds.includes(r.match)).length;
  const n = records.length;
  const notes: Note[] = [
    info(
      `${n} customer${n === 1 ? '' : 's'}: ${count(['mapped'])} mapped, ${count(['identifier'])} by identifier, ` +
        `${count(['exact', 'normalised'])} by name, ${count(['ambiguous'])} ambiguous, ${count(['unmapped'])} unmapped.`,
    ),
  ];
  const written = records.filter((r) => r.written).length;
  const found = records.filter(
    (r) => ['identifier', 'exact', 'normalised'].includes(r.match) || r.mapping?.source === 'csv',
  );
  if (o.write)
    notes.push(
      success(written ? `Wrote ${written} mapping${written === 1 ? '' : 's'} to ${o.where}.` : 'Nothing new to write.'),
    );
  else if (found.length) notes.push(hint(`--write saves the ${found.length} found to ${o.where}.`));
  if (count(['ambiguous']) && !o.suggest)
    notes.push(hint('--suggest lists the candidates; map them with --from-csv FILE (columns reference,company).'));
  return notes;
}

export function unmappedNotes(
  records: PsaMapRecord[],
  connection: string,
  wanted: number | string | undefined,
  fallback: PsaCompany | null,
  farSide: string,
): Note[] {
  const broken = records.filter((r) => r.problem).map((r) => r.reference);
  const notes: Note[] = broken.length
    ? [
        warn(
          `${broken.join(', ')}: mapped to a company ${farSide} does not have; \`safeweb psa plan\` refuses to run ` +
            'until the mapping is fixed (--from-csv with --write replaces it) or removed.',
        ),
      ]
    : [];
  const left = records.filter((r) => !r.company && !r.elsewhere && !r.problem);
  if (!left.length) return notes;
  const who = `${left.length} customer${left.length === 1 ? ' has' : 's have'} no company in ${farSide}`;
  if (fallback)
    return [
      ...notes,
      info(
        `${who}: their findings go to the fallback company ${named(fallback)}, each ticket naming the customer; ` +
          '`safeweb psa plan` lists them.',
      ),
    ];
  const fix = `\`safeweb psa set ${connection} fallbackCompany=…\``;
  return [
    ...notes,
    warn(
      wanted === undefined
        ? `${who} and the connection ${connection} has no fallback company: \`safeweb psa plan\` lists their ` +
            `findings, and no ticket is made for them until they are mapped or ${fix} names one.`
        : `${who}, and the fallback company "${String(wanted)}" does not exist there: \`safeweb psa plan\` ` +
            `refuses to run until ${fix} names one that does.`,
    ),
  ];
}
