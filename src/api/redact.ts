/**
 * Redaction for anything that may be shown: debug traces, error messages, `profile` output.
 * Secrets are the API key, webhook secrets, tokens, passwords and magic-link URLs.
 */

const SECRET_HEADER =
  /^(sw-api-key|authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-safeweb-signature|x-signature|x-token)$/i;
const SECRET_KEY = /(secret|token|password|passwd|api[-_]?key|apikey|authorization)/i;
const SECRET_NAMES = 'token|token_hash|access_token|refresh_token|secret|key|api_key|apikey|signature|code';
/** Secret query parameters in URLs. */
const SECRET_QUERY = new RegExp(`([?&](?:${SECRET_NAMES})=)[^&#\\s"'<]*`, 'gi');
/** name=value pairs anywhere in a non-JSON body (form-encoded, HTML, plain text). */
const SECRET_PAIR = new RegExp(`((?:^|[;\\s>"'])(?:${SECRET_NAMES})=)[^&#\\s"'<]*`, 'gi');

/** user:password@ in a URL. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi;

export const REDACTED = '[REDACTED]';

/** `sk_live_abcdef123456` -> `sk_l…3456`; short values are hidden entirely. */
export function maskSecret(value: string): string {
  if (value.length < 12) return '••••';
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/** A header value as it may be shown. */
export function redactHeader(name: string, value: string): string {
  return SECRET_HEADER.test(name) ? REDACTED : redactText(value);
}

/** Hides secret query parameters inside any text (magic-link URLs, proxy URLs with tokens). */
export function redactText(text: string, known: readonly string[] = []): string {
  // A query parameter needs an "=", credentials in a URL an "@": most texts (a bulk run's
  // every request path) have neither, and skip both patterns.
  let out = text.includes('=') ? text.replace(SECRET_QUERY, `$1${REDACTED}`) : text;
  // user:password@ in URLs, e.g. a proxy URL
  if (out.includes('@')) out = out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  for (const secret of known) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** A JSON value with every secret-looking field and every known secret replaced. */
export function redactJson(value: unknown, known: readonly string[] = []): unknown {
  if (typeof value === 'string') return redactText(value, known);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, known));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        SECRET_KEY.test(key) && item !== null && typeof item !== 'boolean' ? REDACTED : redactJson(item, known);
    }
    return out;
  }
  return value;
}

/** A body as text for a trace: JSON is redacted field by field; other text by pattern. */
export function redactBody(text: string, known: readonly string[] = []): string {
  if (text === '') return '';
  try {
    return JSON.stringify(redactJson(JSON.parse(text), known));
  } catch {
    return redactText(text, known).replace(SECRET_PAIR, `$1${REDACTED}`);
  }
}
