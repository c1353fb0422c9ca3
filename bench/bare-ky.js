// The cheapest process that makes the analytics GET with ky: ky itself, handed a minimal
// node:http fetch adapter (what bench/startup.js compares `safeweb partner analytics` with).
// Usage: node bench/bare-ky.js URL PARTNER_ID API_KEY
import http from 'node:http';
import ky from 'ky';

/** A minimal fetch for ky over node:http: the whole body read, then one Response. */
export async function minimalFetch(request) {
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(request.headers);
    const req = http.request(request.url, { method: request.method, headers, signal: request.signal }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers: res.headers })),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, partnerId, apiKey] = process.argv.slice(2);
  const data = await ky
    .get(url, { fetch: minimalFetch, headers: { 'SW-PARTNER-ID': partnerId, 'SW-API-KEY': apiKey } })
    .json();
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}
