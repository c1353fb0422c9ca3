/**
 * Where the receiver's secrets come from (serve/secrets.ts): files, apply's secret directory
 * (an empty reservation skipped), the stored `webhook/*` secrets (here a SAFEWEB_SECRET_*_FILE and
 * a systemd credential); a reload that finds none keeps the ones it had.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretRing, loadSecrets } from '../../src/serve/secrets.js';
import { tempDir } from '../helpers/cli.js';

describe('the receiver’s secrets', () => {
  it('reads every source once, names each by where it came from, and never reads other kinds', async () => {
    const { dir, cleanup } = tempDir('serve-secrets-');
    try {
      const write = (name: string, value: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), value);
        return path.join(dir, name);
      };
      const file = write('org.secret', 'org-token\n');
      write('apply/hooks.example_x-1a2b3c4d.secret', 'endpoint-secret\n');
      write('apply/reserved-00000000.secret', '');
      write('apply/notes.txt', 'not a secret');
      write('creds/webhook.old', 'old-token\n');
      write('creds/psa.cw', 'a-psa-key\n');
      const loaded = await loadSecrets({
        files: [file, path.join(dir, 'missing.secret')],
        dir: path.join(dir, 'apply'),
        scope: {
          configDir: dir,
          profile: undefined,
          env: { SAFEWEB_SECRET_WEBHOOK_ORG_FILE: file, CREDENTIALS_DIRECTORY: path.join(dir, 'creds') },
        },
      });
      expect(loaded.values).toEqual(['org-token', 'endpoint-secret', 'old-token']);
      expect(loaded.labels).toEqual([
        'file org.secret',
        'secret dir hooks.example_x-1a2b3c4d.secret',
        'secret webhook/old',
      ]);
      expect(loaded.problems).toEqual([expect.stringContaining('missing.secret')]);
    } finally {
      cleanup();
    }
  });

  it('refuses to start with none, and a reload that finds none keeps the ones in use', async () => {
    const { dir, cleanup } = tempDir('serve-secrets-');
    try {
      await expect(SecretRing.open({ files: [path.join(dir, 'nope')] })).rejects.toThrow(
        /no secret to verify deliveries/,
      );
      const file = path.join(dir, 'org.secret');
      fs.writeFileSync(file, 'one\n');
      const { ring } = await SecretRing.open({ files: [file] });
      fs.writeFileSync(file, '');
      expect(await ring.reload()).toMatchObject({ count: 1, kept: true });
      expect(ring.values).toEqual(['one']);
      fs.writeFileSync(file, 'two\n');
      expect(await ring.reload()).toMatchObject({ count: 1, kept: false });
      expect(ring.values).toEqual(['two']);
    } finally {
      cleanup();
    }
  });
});
