/** Checks shared by the webhook commands: event lists and secrets (URLs and IDs: commands/parse.ts). */
import { UsageError } from '../errors.js';
import { readSecret } from '../io/read-secret.js';
import { EVENTS, isEvent, V1_EVENTS } from './events.js';

/** `--event all` expands to the five; unknown names are refused. */
export function checkEvents(values: string[]): string[] {
  if (values.length === 0)
    throw new UsageError('at least one --event is needed', `Use --event all, or some of: ${EVENTS.join(', ')}.`);
  const out = new Set<string>();
  for (const v of values
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean)) {
    // `all` stays the older protocol's five; v1's event is asked for by name.
    if (v === 'all') EVENTS.forEach((e) => out.add(e));
    else if (isEvent(v) || (V1_EVENTS as readonly string[]).includes(v)) out.add(v);
    else throw new UsageError(`unknown event "${v}"`, `Use all, or some of: ${[...EVENTS, ...V1_EVENTS].join(', ')}.`);
  }
  return [...out];
}

/** Every secret file's content; at least one is required. */
export async function readSecrets(
  files: string[],
  stdin: NodeJS.ReadableStream,
  warn: (t: string) => void,
): Promise<string[]> {
  if (files.length === 0)
    throw new UsageError(
      '--secret-file is required',
      'Give the file that holds the endpoint secret (secrets are never taken as flag values).',
    );
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin can hold only one secret');
  const secrets: string[] = [];
  for (const file of files)
    secrets.push(await readSecret(file === '-' ? { stdin: true } : { file }, stdin, 'webhook secret', warn));
  return secrets;
}
