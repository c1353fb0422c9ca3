/**
 * HTTP(S)_PROXY and NO_PROXY, end to end with the built binary and a small proxy on loopback.
 * (Node's global fetch ignores these variables; our transport must not.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary } from '../helpers/cli.js';
import { sandboxFixture, type SandboxFixture } from '../helpers/sandbox.js';

let fx: SandboxFixture;
let proxy: http.Server;
let proxyUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  fx = await sandboxFixture();
  proxy = http.createServer((req, res) => {
    // A forward proxy receives the absolute URL and relays the request.
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '/');
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket) => {
    // HTTPS goes through CONNECT; there is no network here, so refuse the tunnel.
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await fx.close();
});

describe('proxies', () => {
  it('sends plain-http requests through HTTP_PROXY', async () => {
    seen.length = 0;
    const r = await runBinary(['partner', 'analytics', '--json'], { env: { ...fx.env, HTTP_PROXY: proxyUrl } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totalCustomers).toBe(4);
    expect(seen).toEqual([`GET ${fx.sandbox.url}/api/v1/integrations/partner/analytics`]);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    seen.length = 0;
    const r = await runBinary(['partner', 'analytics'], {
      env: { ...fx.env, HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' },
    });
    expect(r.code).toBe(0);
    expect(seen).toEqual([]);
  });

  it('tunnels https through HTTPS_PROXY with CONNECT', async () => {
    seen.length = 0;
    const r = await runBinary(['health', '--base-url', 'https://connect.safeweb.co', '--retries', '0'], {
      env: { ...fx.env, HTTPS_PROXY: proxyUrl },
    });
    expect(seen).toEqual(['CONNECT connect.safeweb.co:443']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^error: SafeWeb unreachable: the proxy refused to open a tunnel to connect\.safeweb\.co \(403 Forbidden\); check HTTPS_PROXY and NO_PROXY — /,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
