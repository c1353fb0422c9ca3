/**
 * A process killed (-9) in the middle of writing: a state file replaced atomically holds the old
 * content or the new, never a torn mix; a file written once (a secret) is whole or absent, never
 * empty. Each case kills a real writer at whatever point it has reached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { ioChild, type IoChild } from '../helpers/io-child.js';

const temp = tempDir('io-killed-');
let start: (...args: string[]) => IoChild;
beforeAll(async () => {
  start = await ioChild(temp.dir);
});
afterAll(() => temp.cleanup());

/** Big enough that writing and fsyncing it takes a while, so a kill often lands inside. */
function content(tag: string): string {
  return `${tag.padEnd(127, '.')}\n`.repeat(32 * 1024);
}

/** Lets the child do `steps` steps, then kills it -9 wherever the next one has got to. */
async function killAfter(child: IoChild, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    const line = await child.line();
    expect(line, 'the child stopped early').toMatch(/^(replaced|wrote) \d+$/);
  }
  child.process.kill('SIGKILL');
  await child.ended;
}

describe('killed mid-write', () => {
  it('an atomic replace leaves the old content or the new, never a torn file', { timeout: 60_000 }, async () => {
    const a = content('A');
    const b = content('B');
    const dir = path.join(temp.dir, 'replace');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.src'), a);
    fs.writeFileSync(path.join(dir, 'b.src'), b);
    const file = path.join(dir, 'state.json');
    for (let round = 0; round < 5; round++) {
      const child = start('replace', file, path.join(dir, 'a.src'), path.join(dir, 'b.src'));
      await killAfter(child, 2 + round);
      const now = fs.readFileSync(file, 'utf8');
      expect(now === a || now === b, `torn after round ${round}: ${now.length} bytes`).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('a file written once is whole or absent, never empty or half written', { timeout: 60_000 }, async () => {
    const dir = path.join(temp.dir, 'secrets');
    fs.mkdirSync(dir);
    const template = path.join(temp.dir, 'secret.src');
    fs.writeFileSync(template, content('s3cret'));
    const expected = fs.readFileSync(template, 'utf8');
    for (let round = 0; round < 3; round++) {
      const sub = path.join(dir, String(round));
      fs.mkdirSync(sub);
      await killAfter(start('write-once', sub, template), 3 + round);
      const written = fs.readdirSync(sub).filter((f) => f.startsWith('secret-'));
      expect(written.length).toBeGreaterThanOrEqual(3 + round);
      for (const name of written) {
        const i = name.slice('secret-'.length);
        expect(fs.readFileSync(path.join(sub, name), 'utf8') === `${expected}${i}\n`, `${name} is not whole`).toBe(
          true,
        );
        expect(fs.statSync(path.join(sub, name)).mode & 0o777).toBe(0o600);
      }
    }
  });
});
