/**
 * Every secret the receiver verifies deliveries with, so a rotation never drops an event:
 *
 * - the files given with --secret-file (an endpoint's secret from `webhook create --secret-file`,
 *   the organisation's from `webhook secret create|cycle --secret-file`);
 * - every `*.secret` of the directory `apply --secret-dir` keeps its endpoints' secrets in
 *   (manifest/secrets.ts; an empty file there is a name reserved by a killed run, not a secret);
 * - every integration secret named `webhook/<name>` (config/secrets.ts): stored with `secret set
 *   webhook/org`, or given to a service as SAFEWEB_SECRET_WEBHOOK_ORG_FILE or systemd's
 *   credential `webhook.org` (LoadCredential=, no keychain on a server).
 *
 * `reload` (SIGHUP, after `webhook secret cycle`) reads them all again; a source that cannot be
 * read keeps nothing from it, and a reload that finds no secret at all keeps the ones it had, so
 * a typo in a file never leaves the receiver refusing every delivery. Values never leave this
 * module but to verify and sign; each is named by where it came from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getSecret, listSecrets, type SecretScope } from '../config/secrets.js';
import { UsageError } from '../errors.js';

export interface SecretSources {
  files: readonly string[];
  /** apply's --secret-dir. */
  dir?: string | undefined;
  /** Whose integration secrets (`webhook/*`) to use; none without it. */
  scope?: SecretScope | undefined;
}

export interface LoadedSecrets {
  values: string[];
  /** Where each value came from ("file org.secret", "secret webhook/org"), by index. */
  labels: string[];
  /** What could not be read, one line each (no values). */
  problems: string[];
}

const KIND = 'webhook/';

/** One line, not blank: the file's content as a secret (a trailing newline dropped). */
function readOne(file: string): string {
  const value = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (value.trim() === '' || /[\r\n]/.test(value))
    throw new Error(value.trim() === '' ? 'it is empty' : 'it has several lines');
  return value.trim();
}

/** Every source read once; duplicates (one secret given twice) kept once. */
export async function loadSecrets(sources: SecretSources): Promise<LoadedSecrets> {
  const found: LoadedSecrets = { values: [], labels: [], problems: [] };
  const add = (value: string, label: string) => {
    if (found.values.includes(value)) return;
    found.values.push(value);
    found.labels.push(label);
  };
  for (const file of sources.files) {
    try {
      add(readOne(file), `file ${path.basename(file)}`);
    } catch (error) {
      found.problems.push(`--secret-file ${file}: ${reason(error)}`);
    }
  }
  if (sources.dir) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(sources.dir).filter((n) => n.endsWith('.secret'));
    } catch (error) {
      found.problems.push(`--secret-dir ${sources.dir}: ${reason(error)}`);
    }
    for (const name of names.sort()) {
      const file = path.join(sources.dir, name);
      // An empty file is a name a killed `apply` reserved and never filled (manifest/secrets.ts).
      if (fs.statSync(file, { throwIfNoEntry: false })?.size === 0) continue;
      try {
        add(readOne(file), `secret dir ${name}`);
      } catch (error) {
        found.problems.push(`${file}: ${reason(error)}`);
      }
    }
  }
  if (sources.scope) await loadStored(sources.scope, add, found.problems);
  return found;
}

async function loadStored(
  scope: SecretScope,
  add: (value: string, label: string) => void,
  problems: string[],
): Promise<void> {
  let names: string[];
  try {
    names = listSecrets(scope)
      .filter((s) => s.inEffect && s.name.startsWith(KIND))
      .map((s) => s.name);
  } catch (error) {
    problems.push(`the stored secrets: ${reason(error)}`);
    return;
  }
  for (const name of names) {
    try {
      const secret = await getSecret(scope, name);
      if (secret) add(secret.value, `secret ${name}`);
    } catch (error) {
      problems.push(`secret ${name}: ${reason(error)}`);
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The secrets in use, swapped whole by a reload: a delivery is verified against one set. */
export class SecretRing {
  #current: LoadedSecrets;

  private constructor(
    readonly sources: SecretSources,
    loaded: LoadedSecrets,
  ) {
    this.#current = loaded;
  }

  /** The first load: no secret at all is exit 2, naming every way to give one. */
  static async open(sources: SecretSources): Promise<{ ring: SecretRing; problems: string[] }> {
    const loaded = await loadSecrets(sources);
    if (loaded.values.length === 0)
      throw new UsageError(
        `no secret to verify deliveries with${loaded.problems.length ? ` (${loaded.problems.join('; ')})` : ''}`,
        'Give --secret-file FILE (repeatable), --secret-dir DIR (apply’s), or store the organisation secret with ' +
          '`safeweb secret set webhook/org --value-stdin` (a service: SAFEWEB_SECRET_WEBHOOK_ORG_FILE, or the ' +
          'credential webhook.org).',
      );
    return { ring: new SecretRing(sources, loaded), problems: loaded.problems };
  }

  get values(): string[] {
    return this.#current.values;
  }

  label(index: number): string {
    return this.#current.labels[index] ?? `secret ${index + 1}`;
  }

  /** Reads every source again; keeps the old set when the new one would be empty. */
  async reload(): Promise<{ count: number; kept: boolean; problems: string[] }> {
    const loaded = await loadSecrets(this.sources);
    if (loaded.values.length === 0)
      return { count: this.#current.values.length, kept: true, problems: loaded.problems };
    this.#current = loaded;
    return { count: loaded.values.length, kept: false, problems: loaded.problems };
  }
}
