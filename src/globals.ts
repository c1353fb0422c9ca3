/**
 * The root's flags, as program.ts parses them for every verb, and what they are before it has
 * (commander reporting a bad flag). Context carries them; the clients read their timeouts here.
 */
export interface GlobalOptions {
  json: boolean;
  /** --csv: table-shaped output as CSV (output/render.ts). */
  csv?: boolean | undefined;
  /** --fields: the columns to show, in order. */
  fields?: string[] | undefined;
  /** --verbose: `detail` notes are said too. */
  verbose?: boolean | undefined;
  debug: boolean;
  color?: boolean | undefined;
  input: boolean;
  profile?: string | undefined;
  partnerId?: string | undefined;
  baseUrl?: string | undefined;
  timeout: number;
  retries: number;
  /** --max-response-size in bytes; undefined: SAFEWEB_MAX_RESPONSE_SIZE, else 16 MiB. */
  maxResponseSize?: number | undefined;
  /** The verb's own --ndjson: stream events are JSON lines (see output/sink.ts). */
  ndjson: boolean;
  /** The verb was given --exit-status or --fail-on: a finding exits 8. */
  findingAsked: boolean;
  /** --mask-pii (true) or --no-mask-pii (false); undefined: the profile's `maskPii` decides. */
  maskPii?: boolean | undefined;
}

/** Before the flags are parsed. */
export const DEFAULT_GLOBALS: GlobalOptions = {
  json: false,
  debug: false,
  input: true,
  timeout: 30_000,
  retries: 3,
  ndjson: false,
  findingAsked: false,
};
