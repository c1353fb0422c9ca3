/**
 * Answers have a size limit (--max-response-size, SAFEWEB_MAX_RESPONSE_SIZE, default 16 MiB):
 * a server that announces or sends more is cut off at once — memory stays bounded whatever it
 * claims — and the run ends exit 5 "answer too large", recording nothing from it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/customers/local-record.js';
import { accountKey } from '../../src/io/account-files.js';
import { cleanEnv, runInProcess, tempDir } from '../helpers/cli.js';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A loopback server whose every answer is 200 JSON: announced as `announce` bytes, `send` bytes really sent. */
async function hugeServer(options: { announce?: number; send: number }): Promise<string> {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(options.announce === undefined ? {} : { 'content-length': String(options.announce) }),
      });
      res.write(`{"pad":"`);
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < options.send && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (options.announce === undefined && !res.destroyed) res.end('"}');
      };
      more();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function envFor(url: string, extra: Record<string, string> = {}) {
  const { dir } = tempDir();
  return cleanEnv({
    SAFEWEB_BASE_URL: url,
    SAFEWEB_PARTNER_ID: 'P-BIG',
    SAFEWEB_API_KEY: 'swk_big_answer_test_0000000',
    SAFEWEB_CONFIG_DIR: dir,
    ...extra,
  });
}

describe('the size of an answer', () => {
  it('a server announcing 2 GB is refused before a byte of it is read: exit 5, answer too large', async () => {
    const url = await hugeServer({ announce: 2 * 1024 ** 3, send: 256 * 1024 });
    const r = await runInProcess(['partner', 'analytics', '--retries', '0'], { env: envFor(url) });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/answer too large from SafeWeb: GET \S+: the answer announced 2048 MiB, more than 16 MiB/);
    expect(r.stderr).toContain('--max-response-size');
  });

  it('one that sends more than the limit without announcing it is cut off (the flag, or the variable)', async () => {
    const url = await hugeServer({ send: 3 * 1024 * 1024 });
    const flag = await runInProcess(['partner', 'analytics', '--max-response-size', '1MiB'], { env: envFor(url) });
    expect(flag.code).toBe(5);
    expect(flag.stderr).toContain('the answer was larger than 1 MiB');
    const variable = await runInProcess(['partner', 'analytics'], {
      env: envFor(url, { SAFEWEB_MAX_RESPONSE_SIZE: '512KiB' }),
    });
    expect(variable.code).toBe(5);
    expect(variable.stderr).toContain('the answer was larger than 512 KiB');
    // Under the limit it is read whole, and judged on what it holds (not analytics: the contract's check).
    const roomy = await runInProcess(['partner', 'analytics', '--max-response-size', '8MiB'], { env: envFor(url) });
    expect(roomy.stderr).not.toContain('too large');
    expect(roomy.stderr).toContain('without its data object');
  });

  it('a create answered too large is exit 5 and recorded nowhere', async () => {
    const url = await hugeServer({ announce: 64 * 1024 * 1024, send: 64 * 1024 });
    const env = envFor(url);
    const r = await runInProcess(['customer', 'onboard', '--file', 'examples/acme.json', '--billed-from', 'now+1d'], {
      env,
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('answer too large');
    expect(readRecord(env['SAFEWEB_CONFIG_DIR']!, accountKey('P-BIG', url)).customers).toEqual([]);
  });

  it('a size that is not one is exit 2, from the flag or the variable', async () => {
    const flag = await runInProcess(['partner', 'analytics', '--max-response-size', 'lots'], {
      env: envFor('http://127.0.0.1:9'),
    });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('a size like 512KiB, 16MiB, 1GiB');
    const variable = await runInProcess(['partner', 'analytics'], {
      env: envFor('http://127.0.0.1:9', { SAFEWEB_MAX_RESPONSE_SIZE: '2TB' }),
    });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain('SAFEWEB_MAX_RESPONSE_SIZE=2TB');
  });
});
