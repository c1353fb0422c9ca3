/**
 * A small cache for values a run works out again and again from the same few keys (a bulk run's
 * thousands of requests to one path, rows with one billing date): each key's value is worked out
 * once, and the first `limit` keys are kept, so odd keys cannot grow it without end.
 */
export function remembered<V>(limit = 100): (key: string, work: () => V) => V {
  const values = new Map<string, V>();
  return (key, work) => {
    if (values.has(key)) return values.get(key) as V;
    const value = work();
    if (values.size < limit) values.set(key, value);
    return value;
  };
}

let lastInstant = { ms: NaN, iso: '' };

/**
 * An instant as ISO 8601 text (`toISOString`), the last one remembered: V8 formats it through
 * snprintf, which is not cheap on Node 20, and a bulk run formats the same billing date for every
 * row, and the same millisecond for the rows settled within it.
 */
export function isoTime(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (ms !== lastInstant.ms) lastInstant = { ms, iso: new Date(ms).toISOString() };
  return lastInstant.iso;
}
