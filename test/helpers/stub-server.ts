/**
 * A strict HTTP stub on 127.0.0.1 for the rare failures the sandbox should not fake: each
 * request takes the next scripted reply; every request is recorded; an unscripted request
 * fails the test that made it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | { destroy: true }
  | { hang: true }
  /** Promise a longer body than is sent, then close: a truncated answer. */
  | { truncate: string };

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Stub {
  url: string;
  requests: Recorded[];
  /** Requests that arrived after the script ran out. */
  unexpected: Recorded[];
  /** Adds replies to the end of the script. */
  answer(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function stubServer(script: Reply[]): Promise<Stub> {
  const requests: Recorded[] = [];
  const unexpected: Recorded[] = [];
  const queue = [...script];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      const reply = queue.shift();
      if (!reply) {
        unexpected.push(record);
        res.writeHead(599).end();
        return;
      }
      requests.push(record);
      if ('destroy' in reply) {
        req.socket.destroy();
        return;
      }
      if ('hang' in reply) return;
      if ('truncate' in reply) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(reply.truncate.length + 100),
        });
        res.write(reply.truncate);
        setTimeout(() => req.socket.destroy(), 10);
        return;
      }
      const send = () => {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unexpected,
    answer: (...replies) => queue.push(...replies),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const okJson = (body: unknown = { success: true }): Reply => ({ status: 200, body: JSON.stringify(body) });
export const failJson = (status: number, error: string, headers?: Record<string, string>): Reply => ({
  status,
  body: JSON.stringify({ success: false, error }),
  ...(headers ? { headers } : {}),
});
