/**
 * Where `apply` keeps the signing secrets of the webhook endpoints it creates (`--secret-dir`):
 * a directory created 0700, one 0600 file per endpoint, named from its URL, never overwritten.
 * A secret is never printed. An empty file is a claim an earlier run left when it was killed
 * before the answer came: it holds no secret, so it may be claimed again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { claimNewFile } from '../io/safe-write.js';

export class SecretDir {
  private constructor(readonly dir: string) {}

  /** Checks (and creates, 0700) the directory. */
  static open(dir: string, warn: (text: string) => void): SecretDir {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new UsageError(`cannot use --secret-dir ${dir}: ${(error as Error).message}`);
    }
    if (!stat) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (stat.isSymbolicLink())
      throw new UsageError(`--secret-dir ${dir} is a symbolic link; give the directory itself`);
    else if (!stat.isDirectory()) throw new UsageError(`--secret-dir ${dir} is not a directory`);
    else if (stat.mode & 0o077)
      warn(`${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); 0700 is safer`);
    return new SecretDir(dir);
  }

  /** `hooks.example_safeweb-1a2b3c4d.secret`: readable, and unique per URL. */
  fileFor(url: string): string {
    const u = new URL(url);
    const readable = `${u.host}${u.pathname}`.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '');
    const hash = createHash('sha256').update(url).digest('hex').slice(0, 8);
    return path.join(this.dir, `${readable.slice(0, 80)}-${hash}.secret`);
  }

  /** Before anything is sent: every endpoint to create has a free file. */
  check(urls: string[]): void {
    const taken = urls.map((u) => this.fileFor(u)).filter((f) => fs.existsSync(f) && fs.lstatSync(f).size > 0);
    if (taken.length)
      throw new UsageError(
        `secret file${taken.length === 1 ? '' : 's'} already exist${taken.length === 1 ? 's' : ''}: ${taken.join(', ')}; ` +
          'a signing secret is never overwritten; nothing was sent',
        'Move the old file aside (its endpoint is gone, or the manifest changed its URL), or use another --secret-dir.',
      );
  }

  claim(url: string): { file: string; write(secret: string): void; abandon(): void } {
    const file = this.fileFor(url);
    if (fs.existsSync(file) && fs.lstatSync(file).isFile() && fs.lstatSync(file).size === 0) fs.rmSync(file);
    const claim = claimNewFile(file, 'webhook secret file');
    return { file, write: (secret) => claim.write(`${secret}\n`), abandon: () => claim.abandon() };
  }
}
