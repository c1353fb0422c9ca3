import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** Reads a file, or stdin for "-". A missing file is a usage error naming it. */
export async function readInput(source: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError(`cannot read ${source}: ${why}`, 'Check the path.');
  }
}
