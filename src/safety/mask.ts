/**
 * PII masking for what is displayed (--mask-pii, or a profile's `maskPii: true`): e-mail
 * addresses anywhere, and the values of keys that name a person. Domains, references and IDs
 * stay as they are, so a masked screen still says which customer and which breach. Never
 * applied to files the tool writes for later use (exports, journals, the local record, the audit log).
 */

/** An e-mail address inside any text: the local part is kept to its first character. */
const EMAIL = /([A-Za-z0-9_])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;

/** Keys whose values name a person (contact names, recipients); `name` alone only beside an email. */
const PERSON_KEY =
  /^(?:contact|first|last|full|given|family|middle|display|person|user|owner|recipient|sender|customer[-_]?contact)[-_ ]?name$/i;

/** `security@acme.co` -> `s***@acme.co`; every address in a longer text likewise. */
export function maskEmail(text: string): string {
  return text.replace(EMAIL, '$1***@$2');
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
