/**
 * Hostile answers for the PSA emulators (ConnectWise, Autotask, HaloPSA): what a proxy, a login page, a half-broken upgrade
 * or a wrong address makes a real PSA answer, for the tests that a sync ends with a clear error
 * and records nothing wrongly (test/psa/hostile.test.ts). A test sets rules on a running emulator
 * (`emulator.misbehave([...])`); each matching API request gets the hostile answer, written on the
 * socket as a server would (so the client's own size cap, redirect refusal and JSON checks are what
 * is tested), optionally after the emulator has done what was asked — a ticket made whose answer
 * is lost on the way back.
 */

/**
 * - `html`: a proxy's 502 error page (text/html)
 * - `unexpected`: 200 with a JSON body that is not what the operation answers (`{"result": "ok"}`)
 * - `huge`: 200 with a 10 MB JSON list, sent chunked (no length announced: the client must stop reading)
 * - `redirect`: 302 to another origin (a login page)
 * - `not-found`: ConnectWise's own 404 (`{"code": "NotFound", …}`), as for a ticket ID that never existed
 */
export type HostileKind = 'html' | 'unexpected' | 'huge' | 'redirect' | 'not-found';

export interface HostileRule {
  /** The request's method ("POST") and a pattern of its path below the REST base ("/service/tickets"). */
  method: string;
  path: RegExp;
  kind: HostileKind;
  /** Do what was asked first, then answer so (the far side made the ticket; its answer is lost). Default: nothing done. */
  afterDoing?: boolean | undefined;
  /** How many matching requests are answered so; then the rule is spent. Default: every one. */
  times?: number | undefined;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body, or chunks written one after another without a length announced. */
  body: string | string[];
}

/** 10 MB of JSON: larger than the client's 8 MiB cap, in 100 chunks of 100 kB. */
const HUGE_CHUNKS = 100;
const HUGE_CHUNK_BYTES = 100_000;

/** The rule a request meets, counting it against `times`; undefined when none. */
export function matchHostile(rules: HostileRule[], method: string, path: string): HostileRule | undefined {
  const rule = rules.find((r) => r.method.toUpperCase() === method && r.path.test(path) && (r.times ?? 1) > 0);
  if (rule && rule.times !== undefined) rule.times -= 1;
  return rule;
}

/**
 * The hostile answer of `kind` to a request for `path`; `psa` says whose own shapes a 404 and a
 * redirect's login page take (ConnectWise's by default). `ticketId` names the ticket a 404 is about
 * when the path does not (Halo's `POST /Actions` names it in the body).
 */
export function hostileAnswer(
  kind: HostileKind,
  path: string,
  contentType: string,
  psa: 'connectwise' | 'autotask' | 'halo' = 'connectwise',
  ticketId?: number,
): RawAnswer {
  switch (kind) {
    case 'html':
      return {
        status: 502,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body:
          '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
          '<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p>' +
          '</body></html>\n',
      };
    case 'unexpected':
      return { status: 200, headers: { 'content-type': contentType }, body: '{"result":"ok"}' };
    case 'huge': {
      const record = '{"id":1,"summary":"x","_info":{}},';
      const chunk = record.repeat(Math.ceil(HUGE_CHUNK_BYTES / record.length));
      const chunks = Array.from({ length: HUGE_CHUNKS }, (_, i) => (i === 0 ? `[${chunk}` : chunk));
      chunks.push('{"id":1}]');
      return { status: 200, headers: { 'content-type': contentType }, body: chunks };
    }
    case 'redirect':
      return {
        status: 302,
        headers: {
          location: `https://login.${psa}.invalid/sso?return=${encodeURIComponent(path)}`,
          'content-type': 'text/html; charset=utf-8',
        },
        body: '<html><body>Redirecting to the login page…</body></html>',
      };
    case 'not-found': {
      if (psa === 'halo') {
        // Halo's own error record: a message.
        const id = ticketId ?? /\/Tickets\/(\d+)/.exec(path)?.[1];
        const message = id ? `Ticket ${id} not found` : `No record found at ${path}`;
        return { status: 404, headers: { 'content-type': contentType }, body: JSON.stringify({ message }) };
      }
      if (psa === 'autotask') {
        // Autotask's own error shape: a list of messages.
        const id = /\/Tickets\/(\d+)/i.exec(path)?.[1];
        const message = id ? `Ticket ${id} not found` : `No record found at ${path}`;
        return { status: 404, headers: { 'content-type': contentType }, body: JSON.stringify({ errors: [message] }) };
      }
      const id = /\/service\/tickets\/(\d+)/.exec(path)?.[1];
      const message = id ? `Ticket recId ${id} not found` : `No record found at ${path}`;
      return {
        status: 404,
        headers: { 'content-type': contentType },
        body: JSON.stringify({ code: 'NotFound', message }),
      };
    }
  }
}
