import type { Tone } from '../outcome.js';

/**
 * The band a score falls in (the scale is 0 to 97), with the tone a person sees it in; the
 * renderer alone turns the tone into colour.
 */
export function scoreBand(score: number): { name: 'low' | 'moderate' | 'high' | 'critical'; tone: Tone } {
  if (score < 25) return { name: 'low', tone: 'good' };
  if (score < 50) return { name: 'moderate', tone: 'caution' };
  if (score < 75) return { name: 'high', tone: 'bad' };
  return { name: 'critical', tone: 'severe' };
}
