/**
 * The ticket index's journal as a sync's workers write it side by side: appends batched under the
 * lock the run holds until it lets go, every line on disk and in order, a line a power cut left
 * torn cut before the run's first write, and the lock free for the next run once released.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { foldIndex, TicketIndexFile, type IndexLine } from '../../src/psa/ticket-index.js';
import { tempDir } from '../helpers/cli.js';

const AT = '2026-12-07T00:00:00.000Z';
const intent = (n: number): IndexLine => ({ op: 'intent', key: `k${n}`, action: 'create', at: AT });
const ticket = (n: number): IndexLine => ({
  op: 'ticket',
  key: `k${n}`,
  id: 1000 + n,
  customerId: 'c',
  reference: 'R',
  breachId: `b${n}`,
  generation: 1,
  findings: [{ key: `f${n}`, breachId: `b${n}` }],
  companyId: 250,
  written: { summary: 's', boardId: 2, priorityId: null },
  at: AT,
});

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function indexFile(): TicketIndexFile {
  const made = tempDir('safeweb-index-');
  cleanup = made.cleanup;
  return new TicketIndexFile(path.join(made.dir, 'config'), 'acct', 'cw');
}

const onDisk = (file: string): IndexLine[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as IndexLine);

describe('ticket index journal', () => {
  it('writes what many workers append at once, each caller’s lines in its order, all of them once', async () => {
    const index = indexFile();
    // Forty workers: an intent, then (once it is written) the ticket made.
    await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        await index.append([intent(n)]);
        expect(onDisk(index.file)).toContainEqual(intent(n)); // on disk before the append resolved
        await index.append([ticket(n)]);
      }),
    );
    await index.release();
    const lines = onDisk(index.file);
    expect(lines).toHaveLength(80);
    for (let n = 0; n < 40; n++)
      expect(lines.findIndex((l) => l.op === 'ticket' && l.key === `k${n}`)).toBeGreaterThan(
        lines.findIndex((l) => l.op === 'intent' && l.key === `k${n}`),
      );
    // The index in memory is the file's.
    const folded = foldIndex(lines);
    expect([...index.read().tickets.keys()].sort()).toEqual([...folded.tickets.keys()].sort());
    expect(index.read().intents.size).toBe(0);
  });

  it('holds its lock from the first write until released; then the next run takes it at once', async () => {
    const index = indexFile();
    await index.append([intent(1)]);
    const lock = path.join(path.dirname(index.file), 'acct.cw.lock');
    expect(existsSync(lock)).toBe(true);
    await index.release();
    expect(existsSync(lock)).toBe(false);
    const next = new TicketIndexFile(index.configDir, 'acct', 'cw');
    await next.append([ticket(1)]);
    await next.release();
    expect(onDisk(index.file)).toEqual([intent(1), ticket(1)]);
  });

  it('cuts a line a power cut left torn before the run’s first write, so the journal reads whole', async () => {
    const index = indexFile();
    await index.append([intent(1)]);
    await index.release();
    appendFileSync(index.file, '{"op":"ticket","key":"k1","id":10');
    const next = new TicketIndexFile(index.configDir, 'acct', 'cw');
    expect(next.read().intents.size).toBe(1); // the torn line is read as never written
    await next.append([ticket(1)]);
    await next.append([intent(2)]);
    await next.release();
    expect(onDisk(index.file)).toEqual([intent(1), ticket(1), intent(2)]);
  });
});
