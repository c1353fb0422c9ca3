import { access, constants, readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** Reads a file, or stdin for "-", as text. A missing file is a usage error naming it. */
export async function readInput(source: string, stdin: NodeJS.ReadableStream): Promise<string> {
  return (await readInputBytes(source, stdin)).toString('utf8');
}

/** The exact bytes of a file, or of stdin for "-" (signatures are over bytes, not text). */
export async function readInputBytes(source: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(source);
  } catch (error) {
    throw unreadable(source, error);
  }
}

/** Fails as readInput would, without reading the file (bulk input is streamed later). */
export async function checkReadable(source: string): Promise<void> {
  try {
    await access(source, constants.R_OK);
    if ((await stat(source)).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
  } catch (error) {
    throw unreadable(source, error);
  }
}

function unreadable(source: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (error as Error).message;
  return new UsageError(`cannot read ${source}: ${why}`, 'Check the path.');
}
