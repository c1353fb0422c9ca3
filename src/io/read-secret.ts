import { statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readInput } from './read-input.js';

/**
 * A secret from a file or stdin, never from a flag value (that would land in shell history and
 * process lists). One trailing newline is dropped; blank or multi-word secrets are refused
 * (`spaces`: inner spaces are kept, for passwords that have them; several lines still are not).
 */
export async function readSecret(
  source: { file?: string | undefined; stdin?: boolean | undefined },
  stdin: NodeJS.ReadableStream,
  what: string,
  warn: (text: string) => void,
  options: { spaces?: boolean } = {},
): Promise<string> {
  if (source.file && source.stdin)
    throw new UsageError(`give the ${what} from a file or from stdin, not both`, 'Drop one of the two flags.');
  let text: string;
  if (source.file) {
    text = await readInput(source.file, stdin);
    try {
      if ((statSync(source.file).mode & 0o077) !== 0) warn(`${source.file} is readable by other users; chmod 600 it.`);
    } catch {
      /* readInput already succeeded; a stat failure here is not worth failing for */
    }
  } else if (source.stdin) {
    text = await readInput('-', stdin);
  } else {
    throw new UsageError(`the ${what} is needed`, 'Give it in a file, or on stdin; never as a flag value.');
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.trim() === '') throw new UsageError(`the ${what} is empty`, 'Check the file or what you piped in.');
  const fix = source.file
    ? `Put only the ${what} in ${source.file}, on one line.`
    : `Pipe in only the ${what}, on one line.`;
  if (options.spaces && /[\r\n]/.test(secret)) throw new UsageError(`the ${what} has several lines`, fix);
  if (!options.spaces && /\s/.test(secret))
    throw new UsageError(`the ${what} contains whitespace or several lines`, fix);
  return secret;
}
