// The cheapest possible Node client for the same request: global fetch, no libraries.
// Usage: node bench/bare-fetch.js URL PARTNER_ID API_KEY
const [url, partnerId, apiKey] = process.argv.slice(2);
const res = await fetch(url, {
  headers: { 'SW-PARTNER-ID': partnerId, 'SW-API-KEY': apiKey, Accept: 'application/json' },
});
process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
