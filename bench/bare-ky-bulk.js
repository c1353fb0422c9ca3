// The bare ky loop bench/bulk.js compares bulk onboarding with: the same onboarding requests
// (the rows of lib.js csvRows, as the CLI sends them) through ky and a minimal node:http fetch
// adapter (bare-ky.js), at the same concurrency, with nothing else: no file read, no checks, no
// local record or results journal. Prints {"ok": n, "ms": wall} on stdout.
// Usage: node bench/bare-ky-bulk.js BASE_URL PARTNER_ID API_KEY ROWS CONCURRENCY PREFIX
import ky from 'ky';
import { minimalFetch } from './bare-ky.js';

const [baseUrl, partnerId, apiKey, rowsArg, concurrencyArg, prefix] = process.argv.slice(2);
const ROWS = Number(rowsArg);
const CONCURRENCY = Number(concurrencyArg);
const url = `${baseUrl}/api/v1/integrations/customer/onboard`;
const api = ky.create({ fetch: minimalFetch, headers: { 'SW-PARTNER-ID': partnerId, 'SW-API-KEY': apiKey } });
const billedFromDate = new Date(Date.now() + 86_400_000).toISOString();
const doc = (i) => ({
  companyName: `Bench ${i}`,
  customerReference: `${prefix}-${i}`,
  assetsDomains: [`b${i}.example`],
  assetsEmails: [`jane${i}@b${i}.example`],
  alertRecipients: [`ops@b${i}.example`],
  price: 10,
  currencyCode: 'USD',
  billedFromDate,
});

const started = performance.now();
let next = 1;
let ok = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next <= ROWS) {
      const answer = await api.post(url, { json: doc(next++) }).json();
      if (answer.customerId) ok++;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ ok, ms: Math.round(performance.now() - started) })}\n`);
