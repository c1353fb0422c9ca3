import { Chalk, type ChalkInstance } from 'chalk';

export interface ColorStream {
  isTTY?: boolean | undefined;
}

/**
 * Colour level for one stream: --no-color and NO_COLOR switch it off, FORCE_COLOR switches it
 * on (even into a pipe), otherwise colour only on a terminal that is not "dumb".
 */
export function colorLevel(stream: ColorStream, env: Record<string, string | undefined>, flag: boolean | undefined): 0 | 1 | 2 | 3 {
  if (flag === false) return 0;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!stream.isTTY || env['TERM'] === 'dumb') return 0;
  if (env['COLORTERM'] === 'truecolor' || env['COLORTERM'] === '24bit') return 3;
  if (/-256(color)?$/i.test(env['TERM'] ?? '')) return 2;
  return 1;
}

export function makeChalk(level: 0 | 1 | 2 | 3): ChalkInstance {
  return new Chalk({ level });
}
