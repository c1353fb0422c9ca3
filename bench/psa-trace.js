// Loaded with `--import` into each `psa sync` that bench/psa.js times (not part of the tool): notes
// when every outgoing HTTP request starts and when its answer has been read, and writes them to the
// file $SAFEWEB_BENCH_TRACE names when the process exits. From them the benchmark says how many PSA
// requests were in flight on average, how long each took as the client saw it, and how long a
// ticket's worker sat between one answer and its next request — where the time over the floor goes.
// It costs a closure and two listeners a request.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const file = process.env.SAFEWEB_BENCH_TRACE;
if (file) {
  const requests = [];
  const request = http.request;
  http.request = function traced(...args) {
    const req = request.apply(this, args);
    const r = {
      host: String(req.getHeader('host') ?? ''),
      method: req.method,
      path: req.path.split('?')[0],
      start: performance.now(),
      end: 0,
    };
    requests.push(r);
    req.on('response', (res) => res.on('end', () => (r.end = performance.now())));
    req.on('close', () => (r.end ||= performance.now()));
    return req;
  };
  process.on('exit', () => writeFileSync(file, JSON.stringify({ exitAt: performance.now(), requests })));
}
