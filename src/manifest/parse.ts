/**
 * A manifest's text to a value, bounded: the size is checked before a byte is read, aliases are
 * counted, and a big YAML book is parsed one customer at a time. The `yaml` library builds a
 * syntax tree of the whole document (about 27 bytes of heap per byte of text, so 1.3 GB for a
 * 50 MB book of 100 000 customers) before it yields anything; the usual layout of a manifest
 * (`customers:` at the left margin, its entries each starting `- ` at one indentation) lets each
 * entry be parsed alone, and only its value kept. Where a problem is (line and column) is worked
 * out only for the problems shown, so nothing keeps the trees alive.
 */
import fs from 'node:fs';
import type { Document, LineCounter } from 'yaml';
import { byteSize } from '../api/size.js';
import { UsageError, ValidationError } from '../errors.js';

export type Path = Array<string | number>;

export interface Parsed {
  value: unknown;
  /** " (line 3, column 5)" for a path, when the manifest was text. */
  where: (path: Path) => string;
}

/** The default cap on a manifest's size: above a book of 100 000 customers with several assets each (~50 MB). */
export const MANIFEST_SIZE_CAP = 64 * 2 ** 20;
const SIZE_VARIABLE = 'SAFEWEB_MAX_MANIFEST_SIZE';
/**
 * How often the aliases of a manifest may be expanded, all told (yaml's maxAliasCount): an anchor
 * reused by every customer of a big book stays under it; a "billion laughs" of nested aliases,
 * whose expansion multiplies at every level, does not.
 */
const ALIAS_EXPANSIONS = 200_000;

/** The cap in bytes: SAFEWEB_MAX_MANIFEST_SIZE (a size as --max-response-size takes it: 128MiB), else 64 MiB. */
export function manifestSizeCap(env: Record<string, string | undefined>): number {
  const raw = env[SIZE_VARIABLE]?.trim();
  if (!raw) return MANIFEST_SIZE_CAP;
  const bytes = byteSize(raw);
  if (typeof bytes === 'string') throw new UsageError(`${SIZE_VARIABLE}=${JSON.stringify(raw)}: ${bytes}`);
  return bytes;
}

const human = (bytes: number) =>
  bytes < 2 ** 20 ? `${(bytes / 2 ** 10).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function tooLarge(source: string, size: number, cap: number): UsageError {
  // Just over the cap, both round alike: then in bytes.
  const [is, limit] =
    human(size) === human(cap)
      ? [`${size.toLocaleString('en-US')} bytes`, `${cap.toLocaleString('en-US')} bytes`]
      : [human(size), human(cap)];
  return new UsageError(
    `${source} is ${is}, over the manifest size limit of ${limit}; nothing was read or sent`,
    `Split the book into several manifests (each applied with its own --state), or raise the limit with ${SIZE_VARIABLE} (e.g. ${SIZE_VARIABLE}=128MiB).`,
  );
}

/** A manifest file's text, its size checked (fs.stat) before it is read. */
export function readManifestFile(file: string, cap: number): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    throw new UsageError(`cannot read the manifest ${file}: ${(error as Error).message}`);
  }
  if (size > cap) throw tooLarge(file, size, cap);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the manifest ${file}: ${(error as Error).message}`);
  }
}

/** A manifest given as text (the MCP server): the same cap, on its UTF-8 size. */
export function checkManifestText(text: string, source: string, cap: number): void {
  // A UTF-8 byte is at most 3 per UTF-16 unit: only near the cap is the exact size worth counting.
  if (text.length * 3 <= cap) return;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > cap) throw tooLarge(source, size, cap);
}

/** YAML reads JSON too, but forgives what JSON does not (a trailing comma): a .json file must be JSON. */
function strictJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      where = `line ${line}, column ${before.length - before.lastIndexOf('\n')}: `;
    }
    throw new ValidationError(
      `${source} is not valid JSON; nothing was sent:`,
      [`${where}${reason}`],
      'Fix the file and run it again.',
    );
  }
}

export async function parseText(text: string, source: string, kind: 'YAML' | 'JSON'): Promise<Parsed> {
  if (kind === 'JSON') return { value: strictJson(text, source), where: await jsonWhere(text) };
  const { default: yaml } = await import('yaml');
  return parseByEntry(yaml, text, source) ?? parseWhole(yaml, text, source);
}

type Yaml = typeof import('yaml');

const at = (line: number, col: number) => ` (line ${line}, column ${col})`;

/** Where a path is in a JSON text: its tree (jsonc-parser) built on the first question only. */
async function jsonWhere(text: string): Promise<(path: Path) => string> {
  const { findNodeAtLocation, parseTree } = await import('jsonc-parser');
  let tree: ReturnType<typeof parseTree> | null = null;
  return (path) => {
    tree ??= parseTree(text) ?? undefined;
    if (!tree) return '';
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, path.slice(0, n));
      if (node) {
        const before = text.slice(0, node.offset);
        return at(before.split('\n').length, node.offset - before.lastIndexOf('\n'));
      }
    }
    return '';
  };
}

/** The yaml library's errors as "line L, column C: message", lines counted from `firstLine`. */
function syntaxProblems(doc: Document, firstLine = 0): string[] {
  return doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return pos ? `line ${pos.line + firstLine}, column ${pos.col}: ${message}` : message;
  });
}

/**
 * How many problems an error lists. A broken 50 MB book once printed 184 MB of them; the first
 * fifty show what is wrong, and the count says how much. `--json` and the MCP answer list the same
 * fifty: the error goes to stderr or into a model's context, where the rest would only bury them.
 */
export const SHOWN_PROBLEMS = 50;

/** The line that stands for the problems not listed. */
export function moreProblems(count: number): string {
  return `… and ${count.toLocaleString('en-US')} more problem${count === 1 ? '' : 's'} (fix these and run it again)`;
}

function invalidYaml(source: string, problems: string[]): ValidationError {
  const shown = problems.length > SHOWN_PROBLEMS ? problems.slice(0, SHOWN_PROBLEMS) : problems;
  if (shown !== problems) shown.push(moreProblems(problems.length - SHOWN_PROBLEMS));
  return new ValidationError(`${source} is not valid YAML; nothing was sent:`, shown, 'Fix the file and run it again.');
}

/** An alias (*name) whose anchor (&name) is not before it in the text parsed. */
class UnresolvedAlias extends Error {}

function toJs(doc: Document, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: ALIAS_EXPANSIONS });
  } catch (error) {
    // yaml throws a ReferenceError for an alias bomb and for an alias without its anchor; anything else is a bug.
    if (!(error instanceof ReferenceError)) throw error;
    if (/unresolved alias/i.test(error.message)) throw new UnresolvedAlias(error.message);
    if (!/alias count/i.test(error.message)) throw error;
    throw new UsageError(
      `${source} has too many aliases: expanding its anchors (*name) would make over ` +
        `${ALIAS_EXPANSIONS.toLocaleString('en-US')} copies; nothing was sent`,
      'Write the values out, or nest fewer aliases inside aliases.',
    );
  }
}

function locate(doc: Document, lineCounter: LineCounter, path: Path, firstLine = 0): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) {
      const { line, col } = lineCounter.linePos(start);
      return at(line + firstLine, col);
    }
  }
  return '';
}

/** The whole document at once: for a manifest not laid out as parseByEntry needs. */
function parseWhole(yaml: Yaml, text: string, source: string): Parsed {
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw invalidYaml(source, syntaxProblems(doc));
  try {
    return { value: toJs(doc, source), where: (path) => locate(doc, lineCounter, path) };
  } catch (error) {
    if (!(error instanceof UnresolvedAlias)) throw error;
    throw invalidYaml(source, [
      `${error.message.replace(/ \(.*\)/, '')}: an anchor (&name) must come before its aliases`,
    ]);
  }
}

interface Entry {
  start: number;
  end: number;
  /** Lines before the entry's first. */
  line: number;
}

/**
 * Where the entries of the top-level `customers` list are, or undefined when the text is not laid
 * out so that they can be told apart line by line: then the whole document is parsed.
 */
function findEntries(text: string): { header: string; entries: Entry[] } | undefined {
  if (/^%/m.test(text)) return undefined; // directives: leave them to the parser
  const heads = [...text.matchAll(/^customers:[ \t]*(?:#.*)?\r?$/gm)];
  if (heads.length !== 1) return undefined;
  const markers = [...text.matchAll(/^(?:---|\.\.\.)(?=\s|$)/gm)];
  if (markers.length > 1 || (markers.length === 1 && markers[0]!.index > heads[0]!.index)) return undefined;
  let pos = text.indexOf('\n', heads[0]!.index);
  if (pos === -1) return undefined;
  pos++;
  const regionStart = pos;
  let line = text.slice(0, pos).split('\n').length - 1;
  let indent = -1;
  const entries: Entry[] = [];
  let regionEnd = text.length;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    let lead = 0;
    while (text.charCodeAt(pos + lead) === 32) lead++;
    const rest = text.charCodeAt(pos + lead);
    const blank = pos + lead >= eol || rest === 13 || rest === 35; // empty, CR, or a comment
    if (!blank) {
      const dash = rest === 45 && /[ \r\n]/.test(text[pos + lead + 1] ?? '\n');
      if (indent === -1) {
        if (!dash) return undefined; // not a block list of entries
        indent = lead;
      }
      if (dash && lead === indent) {
        if (entries.length) entries[entries.length - 1]!.end = pos;
        entries.push({ start: pos, end: eol, line });
      } else if (lead === 0) {
        regionEnd = pos; // the next top-level key
        break;
      }
    }
    pos = eol + 1;
    line++;
  }
  if (!entries.length) return undefined;
  entries[entries.length - 1]!.end = regionEnd;
  // The rest of the document, with the entries' lines left empty so that line numbers hold.
  const region = text.slice(regionStart, regionEnd);
  let newlines = 0;
  for (let i = region.indexOf('\n'); i !== -1; i = region.indexOf('\n', i + 1)) newlines++;
  const header = `${text.slice(0, regionStart)}${'\n'.repeat(newlines)}${text.slice(regionEnd)}`;
  return { header, entries };
}

const UNRESOLVED = Symbol('unresolved');

/** The value, or UNRESOLVED when an alias's anchor is in another part (the whole is parsed then). */
function resolved(value: () => unknown): unknown {
  try {
    return value();
  } catch (error) {
    if (error instanceof UnresolvedAlias) return UNRESOLVED;
    throw error;
  }
}

/** Each customer parsed alone; undefined to parse the whole (an alias reaches across entries). */
function parseByEntry(yaml: Yaml, text: string, source: string): Parsed | undefined {
  const found = findEntries(text);
  if (!found) return undefined;
  const { header, entries } = found;
  const headerLines = new yaml.LineCounter();
  const headerDoc = yaml.parseDocument(header, { lineCounter: headerLines, prettyErrors: true, uniqueKeys: true });
  const errors = syntaxProblems(headerDoc);
  const entry = (i: number) => {
    const lineCounter = new yaml.LineCounter();
    const e = entries[i]!;
    const doc = yaml.parseDocument(text.slice(e.start, e.end), { lineCounter, prettyErrors: true, uniqueKeys: true });
    return { doc, lineCounter, e };
  };
  const customers: unknown[] = new Array<unknown>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const { doc, e } = entry(i);
    if (doc.errors.length) {
      errors.push(...syntaxProblems(doc, e.line));
      continue;
    }
    const list = resolved(() => toJs(doc, source));
    if (list === UNRESOLVED) return undefined;
    customers[i] = Array.isArray(list) ? list[0] : list;
  }
  if (errors.length) throw invalidYaml(source, errors);
  const value = resolved(() => toJs(headerDoc, source));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  (value as Record<string, unknown>)['customers'] = customers;
  // One entry parsed again per question, the last one kept: problems come customer by customer.
  let last: ReturnType<typeof entry> | undefined;
  const where = (path: Path): string => {
    if (path[0] !== 'customers' || typeof path[1] !== 'number' || path[1] >= entries.length)
      return locate(headerDoc, headerLines, path);
    const parsed = last?.e === entries[path[1]] ? last! : (last = entry(path[1]));
    return locate(parsed.doc, parsed.lineCounter, [0, ...path.slice(2)], parsed.e.line);
  };
  return { value, where };
}
