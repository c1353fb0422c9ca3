/**
 * PII masking for what is displayed (--mask-pii, or a profile's `maskPii: true`): e-mail
 * addresses anywhere, and the values of keys that name a person. Domains, references and IDs
 * stay as they are, so a masked screen still says which customer and which breach. Never
 * applied to files the tool writes for later use (exports, journals, the local record, the audit log).
 */

/** An address's domain, read from just after its "@" (sticky: there only). */
const DOMAIN = /(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/y;
/** What a local part is made of, and what it may start with (the address starts at the first such character). */
const LOCAL = /[A-Za-z0-9._%+-]/;
const LOCAL_START = /[A-Za-z0-9_]/;

/** Keys whose values name a person (contact names, recipients); `name` alone only beside an email. */
const PERSON_KEY =
  /^(?:contact|first|last|full|given|family|middle|display|person|user|owner|recipient|sender|customer[-_]?contact)[-_ ]?name$/i;

/**
 * `security@acme.co` -> `s***@acme.co`; every address in a longer text likewise: the local part
 * kept to its first character. Read outwards from each "@", so the time is linear in the text
 * whatever it holds (the pattern this replaces scanned on from every position, and took minutes
 * over a 100 KB customer name without an address in it).
 */
export function maskEmail(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let done = 0; // the text before this index is in `out`
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at < done) continue;
    let from = at;
    while (from > done && LOCAL.test(text[from - 1]!)) from -= 1;
    while (from < at && !LOCAL_START.test(text[from]!)) from += 1;
    if (from === at) continue;
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(text)?.[0];
    if (domain === undefined) continue;
    out += `${text.slice(done, from)}${text[from]}***@${domain}`;
    done = at + 1 + domain.length;
  }
  return out + text.slice(done);
}

/** `Jane Doe` -> `J*** D***`: each word to its first letter. */
function maskName(text: string): string {
  return text.replace(/(\p{L})[\p{L}\p{M}'’.-]*/gu, '$1***');
}

/** Whether a column or field of this name holds a person's name. */
export function isPersonKey(key: string): boolean {
  return PERSON_KEY.test(key);
}

/**
 * A deep copy with every e-mail address masked, and person-name values masked by their key.
 * Objects that are not plain data (Dates, Buffers) are returned as they are.
 */
export function maskPii<T>(value: T): T {
  return maskValue(value, false) as T;
}

function maskValue(value: unknown, personName: boolean): unknown {
  if (typeof value === 'string') return personName ? maskName(value) : maskEmail(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, personName));
  if (value && typeof value === 'object' && isPlain(value)) {
    const record = value as Record<string, unknown>;
    const nameIsPerson = typeof record['email'] === 'string' || typeof record['contactEmail'] === 'string';
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      out[key] = maskValue(item, isPersonKey(key) || (key === 'name' && nameIsPerson));
    }
    return out;
  }
  return value;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The stream with every e-mail address masked on its way out: what the renderer, the sink,
 * progress bars, error messages and --debug lines write goes through it when masking is on.
 * Everything but `write` is the stream's own.
 */
export function maskingStream<S extends { write(chunk: string): unknown }>(stream: S): S {
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write')
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => unknown).call(
            target,
            typeof chunk === 'string'
              ? maskEmail(chunk)
              : Buffer.isBuffer(chunk)
                ? maskEmail(chunk.toString('utf8'))
                : chunk,
            ...rest,
          );
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
