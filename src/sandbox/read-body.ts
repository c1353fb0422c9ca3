/** A request body for the emulators (the SafeWeb sandbox, the PSA ones), read with a size limit. */
import type http from 'node:http';

/** What an emulator reads of one request at most: 1 MB. */
const MAX_BODY = 1_000_000;

/** The whole body, or undefined when it passes the size limit (the rest is read and dropped). */
export function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
