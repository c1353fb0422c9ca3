/**
 * What became of each webhook endpoint `apply` created, per account, beside its journal in the
 * config directory: `creating` before the request, `kept` once its signing secret is on disk,
 * `not-created` when the request surely failed. The API shows a secret once; an endpoint that
 * exists while its last word here is `creating` was created by a run killed before the secret
 * reached disk: its secret is lost, and `plan` says so. An endpoint this journal never saw (made
 * from a CI runner with its own config directory and --secret-dir) is not lost: it is simply not here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { accountFile } from '../io/account-files.js';
import { appendToLog } from '../io/append-log.js';

type Line = { op: 'creating' | 'kept' | 'not-created'; url: string; webhookId?: number; at: string };

export class SecretJournal {
  /** The last word on each URL. */
  readonly #last: Map<string, Line>;

  private constructor(
    readonly file: string,
    last: Map<string, Line>,
  ) {
    this.#last = last;
  }

  static open(configDir: string, account: string): SecretJournal {
    const file = accountFile(path.join(configDir, 'apply'), account, '.secrets.ndjson', 'journal of webhook secrets');
    const last = new Map<string, Line>();
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      try {
        const line = JSON.parse(raw) as Line;
        last.set(line.url, line);
      } catch {
        /* a torn last line from a kill */
      }
    }
    return new SecretJournal(file, last);
  }

  /** URLs whose create may have happened while their secret never reached disk. */
  unkept(): Set<string> {
    return new Set([...this.#last.values()].filter((l) => l.op === 'creating').map((l) => l.url));
  }

  creating(url: string, at: Date): void {
    this.#say({ op: 'creating', url, at: at.toISOString() });
  }

  kept(url: string, webhookId: number, at: Date): void {
    this.#say({ op: 'kept', url, webhookId, at: at.toISOString() });
  }

  notCreated(url: string, at: Date): void {
    this.#say({ op: 'not-created', url, at: at.toISOString() });
  }

  #say(line: Line): void {
    appendToLog(this.file, `${JSON.stringify(line)}\n`, 'webhook secret journal');
    this.#last.set(line.url, line);
  }
}
