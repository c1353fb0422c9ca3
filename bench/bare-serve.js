#!/usr/bin/env node
// The bare handler bench/serve.js holds `safeweb serve` against: node:http, the same v1 signature
// checked (HMAC-SHA256 of the body, constant-time), the same bytes appended (one journal line per
// delivery) with the same fsync policy (group commit: the deliveries waiting while one write runs
// share the next write and its fsync, and each is answered after it) done the same way (the write
// on the event loop, the fsync on libuv's threads, so requests go on being read meanwhile), and the
// answer signed over its X-Token. Nothing else: no secrets from files, no dedupe, no translation,
// no routing.
// Usage: node bench/bare-serve.js SECRET_FILE JOURNAL   (prints "listening on URL" on stderr)
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { setImmediate } from 'node:timers';

const [secretFile, journal] = process.argv.slice(2);
const secret = fs.readFileSync(secretFile, 'utf8').trim();
const fd = fs.openSync(journal, 'a', 0o600);
const hmac = (data) => createHmac('sha256', secret).update(data).digest('hex');

let queue = [];
let writing = false;
function commit(line, done) {
  queue.push({ line, done });
  if (writing) return;
  writing = true;
  setImmediate(flush);
}
function flush() {
  const batch = queue;
  queue = [];
  fs.writeSync(fd, batch.map((b) => b.line).join(''));
  fs.fsync(fd, (error) => {
    if (error) throw error;
    for (const b of batch) b.done();
    if (queue.length) setImmediate(flush);
    else writing = false;
  });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers['x-signature'] ?? '').toLowerCase());
    const expected = Buffer.from(hmac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    const token = String(req.headers['x-token'] ?? '');
    commit(`${JSON.stringify({ at: new Date().toISOString(), body: JSON.parse(body.toString()) })}\n`, () => {
      const text = '{"received":true}';
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': text.length,
        'x-signature': hmac(token),
      });
      res.end(text);
    });
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () =>
  process.stderr.write(`listening on http://127.0.0.1:${server.address().port}/safeweb/events\n`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
