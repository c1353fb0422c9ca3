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
