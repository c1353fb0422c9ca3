// A second process for test/io: it drives src/io the way another safeweb process would, bundled
// by test/helpers/io-child.ts (esbuild) so it runs without a build of the whole tool.
// Usage: node child.cjs <what> <args…>; it prints one line per step done on stdout.
import fs from 'node:fs';
import path from 'node:path';
import { appendRecord, openAppendLog } from '../../src/io/append-log.js';
import { acquireLock } from '../../src/io/lock.js';
import { replaceFile, writeNewFile } from '../../src/io/safe-write.js';

const say = (line) => fs.writeSync(1, `${line}\n`);
const [what, ...args] = process.argv.slice(2);

async function main() {
  if (what === 'append') {
    // append FILE TAG COUNT: COUNT records of ~1 KiB, each one write.
    const [file, tag, count] = args;
    const { fd } = openAppendLog(file, 'test log');
    const pad = 'x'.repeat(1000);
    for (let i = 0; i < Number(count); i++) appendRecord(fd, `${JSON.stringify({ tag, i, pad })}\n`, file);
    say('done');
  } else if (what === 'replace') {
    // replace FILE A B: replaces FILE with the content of A, then B, then A…, until killed.
    const [file, a, b] = args;
    const contents = [fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8')];
    for (let i = 0; ; i++) {
      replaceFile(file, contents[i % 2], { kind: 'test state', mayReplace: true });
      say(`replaced ${i}`);
    }
  } else if (what === 'write-once') {
    // write-once DIR TEMPLATE: new files secret-0, secret-1… (TEMPLATE's content, then the number) until killed.
    const [dir, template] = args;
    const content = fs.readFileSync(template, 'utf8');
    for (let i = 0; ; i++) {
      writeNewFile(path.join(dir, `secret-${i}`), `${content}${i}\n`, 'test secret');
      say(`wrote ${i}`);
    }
  } else if (what === 'lock') {
    // lock FILE: takes the lock (or says who holds it) and keeps it until killed.
    const [file] = args;
    try {
      await acquireLock(file, { what: file, command: 'safeweb test lock' });
      say('held');
      setInterval(() => {}, 60_000);
    } catch (error) {
      say(`refused: ${error.message}`);
    }
  } else {
    throw new Error(`unknown step ${what}`);
  }
}

main().catch((error) => {
  say(`error: ${error.stack}`);
  process.exitCode = 1;
});
