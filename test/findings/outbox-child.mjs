// A process that feeds and drains the outbox as a source and a sink would, for the tests where one
// is killed -9 at any moment or two meet (test/findings/outbox-processes.test.ts). Bundled by
// test/helpers/io-child.ts. It prints one line per step done, after the step has returned.
// Usage: node outbox-child.cjs CONFIG_DIR FAR_SIDE_LOG COUNT [SLOW_MS [keep [MEET_DIR MEET_COUNT]]]
//   enqueues COUNT events (in batches of 5, each batch one enqueue), then drains sink "psa": each
//   due item is "sent" (a line appended to FAR_SIDE_LOG, as a far side would keep a ticket) and
//   recorded as acknowledged, SLOW_MS after (a slow far side: another process has time to look).
//   With `keep`, it keeps the outbox's lock between its changes, as the receiver does.
//   With MEET_DIR, it drains only once MEET_COUNT processes have enqueued (each leaves a file
//   there), so processes meant to meet do, however the machine schedules them.
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bookEvent } from '../../src/findings/event.js';
import { Outbox } from '../../src/findings/outbox.js';

const say = (line) => fs.writeSync(1, `${line}\n`);
const [configDir, farSide, count, slowMs = '0', keep, meetDir, meetCount = '0'] = process.argv.slice(2);

async function meet() {
  if (!meetDir) return;
  fs.mkdirSync(meetDir, { recursive: true });
  fs.writeFileSync(`${meetDir}/${process.pid}`, '');
  while (fs.readdirSync(meetDir).length < Number(meetCount)) await sleep(5);
}

/** The same events on every run: the keys come from the facts alone. */
function events(n) {
  return Array.from({ length: n }, (_, i) =>
    bookEvent(
      'P1',
      { type: 'breach.new', reference: `REF-${i}`, customerId: `cust-${i}`, breachId: `breach-${i}` },
      '2026-01-01T00:00:00.000Z',
    ),
  );
}

async function main() {
  const outbox = new Outbox({
    configDir,
    account: 'P1@127.0.0.1',
    sinks: ['psa'],
    command: 'outbox test child',
    keepLock: keep === 'keep',
  });
  const all = events(Number(count));
  for (let i = 0; i < all.length; i += 5) {
    const batch = all.slice(i, i + 5);
    await outbox.enqueue(batch);
    for (const e of batch) say(`enqueued ${e.key}`);
  }
  await meet();
  for (;;) {
    const due = await outbox.due('psa', new Date(), 3);
    if (due.length === 0) break;
    for (const item of due) {
      fs.appendFileSync(farSide, `${item.key} ${process.pid}\n`);
      if (Number(slowMs) > 0) await sleep(Number(slowMs));
      await outbox.record('psa', item.key, { ok: true, ack: `T-${item.key.slice(-6)}` });
      say(`acked ${item.key}`);
    }
  }
  await outbox.close();
  say('done');
}

main().catch((error) => {
  say(`error: ${error.stack}`);
  process.exitCode = 1;
});
