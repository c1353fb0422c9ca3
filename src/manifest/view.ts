/** The plan as a person reads it, Terraform-style: `+` create, `~` update (old → new), `-` offboard or delete. */
import type { Colors } from '../output/color.js';
import type { FieldChange, Plan, PlanData, PlannedChange } from './plan.js';

const show = (value: unknown) => (value === null || value === undefined ? '(unknown)' : JSON.stringify(value));

function listDiff(from: unknown, to: unknown): string | undefined {
  if (!Array.isArray(from) || !Array.isArray(to)) return undefined;
  const has = (list: unknown[], v: unknown) => list.some((x) => String(x).toLowerCase() === String(v).toLowerCase());
  const added = to.filter((v) => !has(from, v)).map((v) => `+ ${String(v)}`);
  const removed = from.filter((v) => !has(to, v)).map((v) => `- ${String(v)}`);
  return [...added, ...removed].join(', ');
}

function fieldLine(field: FieldChange, c: Colors, creating: boolean): string {
  if (creating) return `      ${c.green('+')} ${field.name}: ${show(field.to)}`;
  const diff = listDiff(field.from, field.to);
  return `      ${c.yellow('~')} ${field.name}: ${diff ?? `${show(field.from)} → ${show(field.to)}`}`;
}

function head(change: PlannedChange, c: Colors): string {
  const what = change.kind === 'customer' ? `customer ${change.reference}` : `webhook ${change.url}`;
  switch (change.action) {
    case 'create':
      return `  ${c.green('+')} ${what}`;
    case 'update':
      return `  ${c.yellow('~')} ${what}`;
    case 'reactivate':
      return `  ${c.green('↺')} ${what} ${c.dim('(reactivate)')}`;
    case 'offboard':
      return `  ${c.red('-')} ${what} ${c.dim('(offboard)')}`;
    case 'delete':
      return `  ${c.red('-')} ${what} ${c.dim('(delete)')}`;
  }
}

/** The plan's lines: each change with its fields, what is not updatable, and the summary line. */
export function planLines(plan: Plan, data: PlanData, c: Colors): string[] {
  const out: string[] = [];
  // First, before any other change: what stops being monitored, counted.
  const stopped = data.summary.stopsMonitoring;
  if (stopped) {
    const customers = plan.stopsMonitoring.length;
    out.push(
      c.red(
        `Stops monitoring ${stopped} address${stopped === 1 ? '' : 'es'} of ${customers} customer${customers === 1 ? '' : 's'}:`,
      ),
    );
    for (const s of plan.stopsMonitoring)
      for (const value of [...s.domains, ...s.emails]) out.push(`  ${c.red('-')} customer ${s.reference}: ${value}`);
    out.push('');
  }
  if (plan.changes.length) {
    out.push('Changes (+ create, ~ update, - offboard or delete, ↺ reactivate):', '');
    for (const change of plan.changes) {
      if (change.replaces !== undefined)
        out.push(`  ${c.red('-')} webhook ${change.url} ${c.dim('(delete: its signing secret was lost)')}`);
      out.push(head(change, c));
      for (const field of change.fields ?? []) out.push(fieldLine(field, c, change.action === 'create'));
    }
    out.push('');
  }
  if (plan.notUpdatable.length) {
    out.push('Not updatable (the API cannot change these on an existing customer; they change nothing):');
    for (const { reference, fields } of plan.notUpdatable)
      for (const f of fields)
        out.push(`  ${c.dim('#')} customer ${reference}: ${f.name}: ${show(f.from)} → ${show(f.to)} (not updatable)`);
    out.push('');
  }
  const s = data.summary;
  out.push(
    s.total === 0
      ? 'No changes: the book matches the manifest.'
      : `Plan: ${s.create} to create, ${s.update} to update, ${s.offboard} to offboard, ` +
          `${s.reactivate} to reactivate, ${s.delete} to delete.`,
  );
  return out;
}
