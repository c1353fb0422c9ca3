/**
 * plan, apply and export on a read-only profile: apply with changes is refused before the plan
 * is confirmed or anything is sent (exit 2, one line naming the profile and the switch); an
 * apply with nothing to do, plan and export are reads and work.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookWorld, bookYaml, type BookWorld } from '../manifest/world.js';
import { scriptedPrompter } from '../helpers/prompter.js';
import { profileOf } from './world.js';

let w: BookWorld;
let reports: Awaited<ReturnType<typeof profileOf>>;
let book: string;

beforeAll(async () => {
  w = await bookWorld();
  book = w.write('book.yaml', bookYaml(2));
  const made = await w.cli(['apply', '--file', book, '--yes']);
  expect(made.code, made.stderr).toBe(0);
  reports = await profileOf(w, 'reports', ['--read-only']);
});
afterAll(() => w?.close());

/** Runs on the read-only profile; returns what reached the sandbox meanwhile besides reads. */
async function readOnly(argv: string[], tty = false) {
  const before = w.requests.length;
  // Would say yes to anything: a refusal must come before any question.
  const prompter = scriptedPrompter([true, true]);
  const r = await reports(argv, { tty, prompter });
  return { ...r, asked: prompter.asked, writes: w.requests.slice(before).filter((l) => !l.startsWith('GET ')) };
}

describe('apply on a read-only profile', () => {
  it.each([
    ['with --yes', ['--yes'], false],
    ['on a terminal, before the question', [], true],
  ])('refuses a plan with changes %s: exit 2, one line, nothing sent', async (_how, flags, tty) => {
    const changed = w.write('changed.yaml', bookYaml(3).replace('price: 10', 'price: 11'));
    const r = await readOnly(['apply', '--file', changed, ...flags], tty);
    expect(r.code).toBe(2);
    expect(r.writes).toEqual([]);
    expect(r.asked).toEqual([]);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain('profile "reports" is read-only');
    expect(lines[0]).toContain('safeweb profile set reports --read-write');
    // The plan is not shown as if it were about to be applied.
    expect(r.stderr).not.toContain('Changes (+ create');
    expect(w.customer('BOOK-3')).toBeUndefined();
    expect(w.customer('BOOK-1')!.price).toBe(10);
  });

  it('refuses the same under SAFEWEB_READ_ONLY, naming the variable', async () => {
    const before = w.requests.length;
    const changed = w.write('changed-env.yaml', bookYaml(3));
    const r = await w.cli(['apply', '--file', changed, '--yes'], { env: { ...w.env, SAFEWEB_READ_ONLY: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('SAFEWEB_READ_ONLY is set');
    expect(w.requests.slice(before).filter((l) => !l.startsWith('GET '))).toEqual([]);
    expect(w.customer('BOOK-3')).toBeUndefined();
  });

  it('applies a plan with no changes: exit 0, nothing sent', async () => {
    const r = await readOnly(['apply', '--file', book, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.writes).toEqual([]);
    expect(r.stderr).toContain('No changes');
  });

  it('plans (with changes, --exit-status) and exports as reads', async () => {
    const changed = w.write('changed2.yaml', bookYaml(3));
    const plan = await readOnly(['plan', '--file', changed, '--exit-status']);
    expect(plan.code, plan.stderr).toBe(8);
    expect(plan.stdout).toContain('  + customer BOOK-3');
    expect(plan.writes).toEqual([]);

    const out = path.join(w.dir, 'export.yaml');
    const state = path.join(w.dir, 'state.json');
    const exp = await readOnly(['export', '--output', out, '--state', state]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.writes).toEqual([]);
    expect(existsSync(out) && existsSync(state)).toBe(true);
    const again = await readOnly(['plan', '--file', out, '--state', state, '--exit-status']);
    expect(again.code, again.stderr).toBe(0);
  });
});
