// The cheapest Node process that makes the analytics GET at all: node:http, no libraries.
// Usage: node bench/bare-http.js URL PARTNER_ID API_KEY
import http from 'node:http';

const [url, partnerId, apiKey] = process.argv.slice(2);
const req = http.get(url, {
  headers: { 'SW-PARTNER-ID': partnerId, 'SW-API-KEY': apiKey, Accept: 'application/json' },
});
req.on('response', (res) => {
  const chunks = [];
  res.on('data', (chunk) => chunks.push(chunk));
  res.on('end', () => {
    const data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  });
});
req.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
