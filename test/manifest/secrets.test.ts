/**
 * apply's --secret-dir: a secret is on disk only once it has arrived, whole; nothing is put there
 * before the answer, so a create that fails or is killed in flight leaves no empty file behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretDir } from '../../src/manifest/secrets.js';
import { tempDir } from '../helpers/cli.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());
function secretDir(): { dir: string; secrets: SecretDir } {
  const t = tempDir('secret-dir-');
  cleanup = t.cleanup;
  const dir = path.join(t.dir, 'secrets');
  return { dir, secrets: SecretDir.open(dir, () => {}) };
}

const URL_A = 'https://hooks.example/safeweb';

describe('SecretDir', () => {
  it('is made 0700; a claim puts nothing on disk until the secret arrives, then writes it whole, 0600', () => {
    const { dir, secrets } = secretDir();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const claim = secrets.claim(URL_A);
    expect(fs.readdirSync(dir)).toEqual([]);
    claim.write('whsec_1');
    expect(fs.readFileSync(claim.file, 'utf8')).toBe('whsec_1\n');
    expect(fs.statSync(claim.file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([path.basename(claim.file)]);
  });

  it('a failed create leaves nothing; an empty file an earlier version left is free again; a secret never overwritten', () => {
    const { dir, secrets } = secretDir();
    secrets.claim(URL_A).abandon();
    expect(fs.readdirSync(dir)).toEqual([]);
    const file = secrets.fileFor(URL_A);
    fs.writeFileSync(file, '');
    secrets.claim(URL_A).write('whsec_2');
    expect(fs.readFileSync(file, 'utf8')).toBe('whsec_2\n');
    expect(() => secrets.claim(URL_A)).toThrow(/a signing secret is never overwritten; nothing was sent/);
    expect(fs.readFileSync(file, 'utf8')).toBe('whsec_2\n');
  });
});
