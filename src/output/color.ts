import { inertText } from './inert.js';
import type { Text, Tone } from '../outcome.js';

export interface ColorStream {
  isTTY?: boolean | undefined;
}

/**
 * Colour level for one stream: --no-color and NO_COLOR switch it off, FORCE_COLOR switches it
 * on (even into a pipe), otherwise colour only on a terminal that is not "dumb".
 */
export function colorLevel(
  stream: ColorStream,
  env: Record<string, string | undefined>,
  flag: boolean | undefined,
): 0 | 1 | 2 | 3 {
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

/** The styles the CLI uses. A chalk instance is one; `plainColors` is the no-colour one. */
export interface Colors {
  readonly level: number;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const same = (text: string) => text;

export const plainColors: Colors = { level: 0, bold: same, dim: same, red: same, green: same, yellow: same };

/**
 * Colours for a level. chalk is imported only when there is colour to draw: its import is a
 * measurable part of a start, and piped runs (scripts) never need it.
 */
export async function loadColors(level: 0 | 1 | 2 | 3): Promise<Colors> {
  if (level === 0) return plainColors;
  const { Chalk } = await import('chalk');
  return new Chalk({ level });
}

/** A tone (outcome.ts) in the colours of a stream: the one place meaning becomes colour. */
export function paint(c: Colors, tone: Tone, text: string): string {
  switch (tone) {
    case 'strong':
      return c.bold(text);
    case 'dim':
      return c.dim(text);
    case 'good':
      return c.green(text);
    case 'caution':
      return c.yellow(text);
    case 'bad':
      return c.red(text);
    case 'severe':
      return c.bold(c.red(text));
  }
}

/** Text for a person, its tones drawn in the colours of the stream it goes to. */
export function drawText(text: Text, c: Colors): string {
  if (typeof text === 'string') return inertText(text);
  return text
    .map((part) => (typeof part === 'string' ? inertText(part) : paint(c, part.tone, inertText(part.text))))
    .join('');
}
