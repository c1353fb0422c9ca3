/** The one exit-code table. Never reuse a number for a new meaning. */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  ApiRejected: 3,
  Auth: 4,
  Unavailable: 5,
  SignatureInvalid: 6,
  Finding: 8,
  Cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Rows for help text and docs/output.md, in table order; a long meaning is given as its lines. The
 * far side is whatever answers a request: SafeWeb, a PSA, a notification channel — one table for all.
 */
const EXIT_CODE_ROWS: ReadonlyArray<readonly [number, string | readonly string[]]> = [
  [0, 'success (an empty list is success)'],
  [1, 'unexpected error: a bug; please report it'],
  [2, 'usage or invalid input (bad flag, invalid file, prompt needed but not allowed)'],
  [3, 'the far side (SafeWeb, a PSA, a channel) refused the request (400, 404, 409, 422)'],
  [4, 'authentication at any far side: no credentials, 401, 403'],
  [
    5,
    [
      'unavailable at any far side: network, timeout, 5xx or 429 after retries, a redirect,',
      'an answer lacking what the contract promises or too large',
    ],
  ],
  [6, 'webhook signature invalid'],
  [8, 'a finding, only when asked (--exit-status) and nothing failed'],
  [130, 'cancelled (Ctrl+C)'],
];

export function exitCodeHelp(): string {
  return EXIT_CODE_ROWS.flatMap(([code, text]) => {
    const [first, ...more] = typeof text === 'string' ? [text] : text;
    return [`  ${String(code).padStart(3)}  ${first}`, ...more.map((line) => `       ${line}`)];
  }).join('\n');
}
