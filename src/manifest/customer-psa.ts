/**
 * Writes customers' `psa:` mappings into a manifest a person keeps (`psa map --write --file
 * book.yaml`), changing nothing else: YAML through the yaml library's Document API (comments,
 * key order and the rest of each entry stay), JSON through jsonc-parser's edits (only the text of
 * the changed keys moves; the indentation is the file's own). The result is read back as a
 * manifest before it replaces the file (atomically): a mapping that would break the manifest
 * writes nothing.
 */
import { UsageError, ValidationError } from '../errors.js';
import { replaceFile } from '../io/safe-write.js';
import { loadManifest } from './load.js';
import { readManifestFile } from './parse.js';

export interface PsaMapping {
  reference: string;
  connection: string;
  company: number | string;
}

const KEYS = ['connection', 'company'] as const;

/** Sets `psa.connection` and `psa.company` of each named customer; other keys of its `psa:` stay. */
export async function writeManifestPsa(
  file: string,
  mappings: readonly PsaMapping[],
  options: { now: Date; sizeCap: number },
): Promise<void> {
  const text = readManifestFile(file, options.sizeCap);
  const json = /\.json$/i.test(file);
  const next = json ? await editJson(file, text, mappings) : await editYaml(file, text, mappings);
  try {
    await loadManifest({ manifest: next }, options.now, options.sizeCap);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      `the mappings would leave ${file} not valid; nothing was written:`,
      error.problems,
      error.hint,
    );
  }
  replaceFile(file, next, { kind: 'manifest', mayReplace: true });
}

function missing(file: string, references: Iterable<string>): UsageError {
  return new UsageError(
    `${file} has no customer entry for ${[...references].join(', ')}`,
    'Map those in the integration settings instead (run without --file), or add them to the manifest.',
  );
}

async function editYaml(file: string, text: string, mappings: readonly PsaMapping[]): Promise<string> {
  const { default: yaml } = await import('yaml');
  const doc = yaml.parseDocument(text, { uniqueKeys: true });
  const customers = doc.get('customers');
  const wanted = new Map(mappings.map((m) => [m.reference, m]));
  if (yaml.isSeq(customers))
    for (const item of customers.items) {
      if (!yaml.isMap(item)) continue;
      const reference = item.get('customerReference');
      const mapping = typeof reference === 'string' ? wanted.get(reference.trim()) : undefined;
      if (!mapping) continue;
      wanted.delete(mapping.reference);
      const psa = item.get('psa', true);
      if (yaml.isMap(psa)) for (const key of KEYS) psa.set(key, mapping[key]);
      else item.set('psa', doc.createNode({ connection: mapping.connection, company: mapping.company }));
    }
  if (wanted.size) throw missing(file, wanted.keys());
  return doc.toString({ lineWidth: 0 });
}

async function editJson(file: string, text: string, mappings: readonly PsaMapping[]): Promise<string> {
  const { applyEdits, modify, parse } = await import('jsonc-parser');
  const value = parse(text) as { customers?: unknown } | undefined;
  const list = Array.isArray(value?.customers) ? (value.customers as unknown[]) : [];
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  const formattingOptions = {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
  const wanted = new Map(mappings.map((m) => [m.reference, m]));
  let out = text;
  list.forEach((item, i) => {
    const reference = (item as { customerReference?: unknown } | null)?.customerReference;
    const mapping = typeof reference === 'string' ? wanted.get(reference.trim()) : undefined;
    if (!mapping) return;
    wanted.delete(mapping.reference);
    for (const key of KEYS)
      out = applyEdits(out, modify(out, ['customers', i, 'psa', key], mapping[key], { formattingOptions }));
  });
  if (wanted.size) throw missing(file, wanted.keys());
  return out;
}
