import type { Colors } from '../output/color.js';

/** The band a score falls in, with its colour: the scale is 0 to 97. */
export function scoreBand(score: number, c: Colors): { name: string; paint: (t: string) => string } {
  if (score < 25) return { name: 'low', paint: c.green };
  if (score < 50) return { name: 'moderate', paint: c.yellow };
  if (score < 75) return { name: 'high', paint: c.red };
  return { name: 'critical', paint: (t) => c.bold(c.red(t)) };
}
