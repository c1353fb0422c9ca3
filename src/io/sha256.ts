/**
 * SHA-256 in hex, for the keys and IDs made many times a second (the receiver makes two per
 * event): Node's one-shot `crypto.hash` where it has it (20.12 and later), which makes no Hash
 * object, else `createHash`. The same digest either way.
 */
import crypto from 'node:crypto';

export const sha256Hex: (data: string | Buffer) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');
