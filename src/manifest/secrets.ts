/**
 * Where `apply` keeps the signing secrets of the webhook endpoints it creates (`--secret-dir`):
 * a directory created 0700, one 0600 file per endpoint, named from its URL, never overwritten.
 * A secret is never printed. The API shows it once, so it is written the moment it arrives,
 * durably and whole (io/safe-write.ts writeNewFile): a kill leaves the file complete or absent.
 * An empty file is what earlier versions left when killed between reserving the name and the
 * answer: it holds no secret, so the name is free again.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { ensurePrivateDir } from '../io/private-dir.js';
import { sweepStaleTemps, writeNewFile } from '../io/safe-write.js';

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
    if (!stat) ensurePrivateDir(dir, 'webhook signing secrets');
    else if (stat.isSymbolicLink())
      throw new UsageError(`--secret-dir ${dir} is a symbolic link; give the directory itself`);
    else if (!stat.isDirectory()) throw new UsageError(`--secret-dir ${dir} is not a directory`);
    else if (stat.mode & 0o077)
      warn(`${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); 0700 is safer`);
    // A run killed mid-write may have left a secret in a hidden temporary file: not kept there.
    sweepStaleTemps(dir);
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

  /**
   * The file for `url`'s secret, checked free before the request; `write` keeps the secret once
   * the answer brings it. Nothing is put on disk before then, so a request that fails, or a kill
   * while it is in flight, leaves no empty file behind (`abandon` has nothing to undo).
   */
  claim(url: string): { file: string; write(secret: string): void; abandon(): void } {
    const file = this.fileFor(url);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.size === 0) fs.rmSync(file);
    else if (stat)
      throw new UsageError(
        `${file} already exists; a signing secret is never overwritten; nothing was sent`,
        'Move the old file aside, or use another --secret-dir.',
      );
    return { file, write: (secret) => writeNewFile(file, `${secret}\n`, 'webhook secret file'), abandon: () => {} };
  }
}
