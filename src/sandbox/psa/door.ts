/**
 * What the three PSA emulators (ConnectWise, Autotask, HaloPSA) share beside their own API: the
 * controls a test holds (a technician's close and reopen, hostile answers, closing the server),
 * the admin door's technician route and a hostile answer written on the socket as a server would.
 */
import type http from 'node:http';
import type { HostileRule, RawAnswer } from './hostile.js';

/** Closes (true) or reopens (false) ticket `id` as a technician would; false when there is no such ticket. */
export type Technician = (id: number, close: boolean) => boolean;

/** The handle's members every emulator has: `misbehave` hands the rules (copied) to `setRules`. */
export function emulatorControls(
  server: http.Server,
  technician: Technician,
  setRules: (rules: HostileRule[]) => void,
) {
  return {
    technicianClose: (id: number) => technician(id, true),
    technicianReopen: (id: number) => technician(id, false),
    misbehave: (rules: HostileRule[]) => setRules(rules.map((r) => ({ ...r }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The admin door's `POST /__emulator/tickets/{id}/close` and `…/reopen` (what a technician does in
 * the PSA): `done` when the ticket exists, the PSA's own 404 (`notFound`) when not; undefined for
 * any other request.
 */
export function technicianRoute<A>(
  method: string,
  pathname: string,
  technician: Technician,
  answers: { done: A; notFound: (id: number) => A },
): A | undefined {
  const move = /^\/__emulator\/tickets\/(\d+)\/(close|reopen)$/.exec(pathname);
  if (!move || method !== 'POST') return undefined;
  const id = Number(move[1]);
  return technician(id, move[2] === 'close') ? answers.done : answers.notFound(id);
}

/** A hostile answer, its body written chunk after chunk (no length announced when it is several). */
export function writeRaw(res: http.ServerResponse, answer: RawAnswer): void {
  // A client that stops reading a huge answer closes the socket under the writes: nothing to report.
  res.on('error', () => {});
  res.writeHead(answer.status, answer.headers);
  for (const chunk of typeof answer.body === 'string' ? [answer.body] : answer.body) res.write(chunk);
  res.end();
}

/** Counts an API request under its operation, a record's ID folded: `PATCH /service/tickets/{id}`. */
export function countOperation(
  requests: { total: number; byOperation: Record<string, number> },
  method: string,
  path: string,
): void {
  const operation = `${method.toUpperCase()} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
  requests.total += 1;
  requests.byOperation[operation] = (requests.byOperation[operation] ?? 0) + 1;
}
