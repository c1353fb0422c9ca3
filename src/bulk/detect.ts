/**
 * Is `--file` one customer or many? CSV and NDJSON (by extension or --format) and a JSON array
 * are many; a JSON object is one. Stdin is spooled to a private temporary file, because a bulk
 * run reads its input twice (check every row, then send) without holding it in memory.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { checkReadable } from '../io/read-input.js';
import { formatFromName, type RowFormat } from './sources.js';

export type DetectedInput =
  | { bulk: true; path: string; format: RowFormat; cleanup: () => void }
  | { bulk: false; text: string; cleanup: () => void };

async function firstChar(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .charAt(0);
  } finally {
    await handle.close();
  }
}

export async function detectInput(
  file: string,
  format: RowFormat | undefined,
  stdin: NodeJS.ReadableStream,
): Promise<DetectedInput> {
  let filePath = file;
  let cleanup = () => undefined as void;
  if (file === '-') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'safeweb-stdin-'));
    filePath = path.join(dir, 'input');
    await pipeline(stdin, createWriteStream(filePath, { mode: 0o600 }));
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else {
    await checkReadable(file);
  }
  const chosen = format ?? formatFromName(file);
  if (chosen === 'csv' || chosen === 'ndjson') return { bulk: true, path: filePath, format: chosen, cleanup };
  const first = await firstChar(filePath);
  if (first === '[') return { bulk: true, path: filePath, format: 'json', cleanup };
  if (chosen === 'json' || first === '{' || first === '') {
    const text = readFileSync(filePath, 'utf8');
    cleanup();
    return { bulk: false, text, cleanup: () => undefined };
  }
  return { bulk: true, path: filePath, format: 'csv', cleanup };
}
