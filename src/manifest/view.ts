/**
 * The plan as a person reads it, Terraform-style: `+` create, `~` update (old → new), `-` offboard
 * or delete. Each mark carries its tone; the renderer colours it.
 */
import { styled, type Text } from '../outcome.js';
import type { FieldChange, Plan, PlanData, PlannedChange } from './plan.js';

const add = styled('good', '+');
const change = styled('caution', '~');
const remove = styled('bad', '-');

const show = (value: unknown) => (value === null || value === undefined ? '(unknown)' : JSON.stringify(value));

function listDiff(from: unknown, to: unknown): string | undefined {
  if (!Array.isArray(from) || !Array.isArray(to)) return undefined;
  const has = (list: unknown[], v: unknown) => list.some((x) => String(x).toLowerCase() === String(v).toLowerCase());
  const added = to.filter((v) => !has(from, v)).map((v) => `+ ${String(v)}`);
  const removed = from.filter((v) => !has(to, v)).map((v) => `- ${String(v)}`);
  return [...added, ...removed].join(', ');
}

function fieldLine(field: FieldChange, creating: boolean): Text {
  if (creating) return ['      ', add, ` ${field.name}: ${show(field.to)}`];
  const diff = listDiff(field.from, field.to);
  return ['      ', change, ` ${field.name}: ${diff ?? `${show(field.from)} → ${show(field.to)}`}`];
}

function head(planned: PlannedChange): Text {
  const what = planned.kind === 'customer' ? `customer ${planned.reference}` : `webhook ${planned.url}`;
  switch (planned.action) {
    case 'create':
      return ['  ', add, ` ${what}`];
    case 'update':
      return ['  ', change, ` ${what}`];
    case 'reactivate':
      return ['  ', styled('good', '↺'), ` ${what} `, styled('dim', '(reactivate)')];
    case 'offboard':
      return ['  ', remove, ` ${what} `, styled('dim', '(offboard)')];
    case 'delete':
      return ['  ', remove, ` ${what} `, styled('dim', '(delete)')];
  }
}

/**
 * The plan's lines: each change with its fields, what is not updatable, and the summary line.
 * Made as they are read, never all held at once: 100 000 creates are over a million lines.
 */
export function* planLines(plan: Plan, data: PlanData): Generator<Text> {
  // First, before any other change: what stops being monitored, counted.
  const stopped = data.summary.stopsMonitoring;
  if (stopped) {
    const customers = plan.stopsMonitoring.length;
    yield [
      styled(
        'bad',
        `Stops monitoring ${stopped} address${stopped === 1 ? '' : 'es'} of ${customers} customer${customers === 1 ? '' : 's'}:`,
      ),
    ];
    for (const s of plan.stopsMonitoring)
      for (const value of [...s.domains, ...s.emails]) yield ['  ', remove, ` customer ${s.reference}: ${value}`];
    yield '';
  }
  if (plan.changes.length) {
    yield 'Changes (+ create, ~ update, - offboard or delete, ↺ reactivate):';
    yield '';
    for (const planned of plan.changes) {
      if (planned.replaces !== undefined)
        yield ['  ', remove, ` webhook ${planned.url} `, styled('dim', '(delete: its signing secret was lost)')];
      yield head(planned);
      for (const field of planned.fields ?? []) yield fieldLine(field, planned.action === 'create');
    }
    yield '';
  }
  if (plan.notUpdatable.length) {
    yield 'Not updatable (the API cannot change these on an existing customer; they change nothing):';
    for (const { reference, fields } of plan.notUpdatable)
      for (const f of fields)
        yield [
          '  ',
          styled('dim', '#'),
          ` customer ${reference}: ${f.name}: ${show(f.from)} → ${show(f.to)} (not updatable)`,
        ];
    yield '';
  }
  const s = data.summary;
  yield s.total === 0
    ? 'No changes: the book matches the manifest.'
    : `Plan: ${s.create} to create, ${s.update} to update, ${s.offboard} to offboard, ` +
      `${s.reactivate} to reactivate, ${s.delete} to delete.`;
}
