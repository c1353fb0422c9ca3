import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

/**
 * What a module loads when it is imported: the source files (relative to the repository) and
 * packages reachable through its static imports. Dynamic import() and `import type` are not
 * followed, since they load nothing at start.
 */
export function staticImportsOf(file: string): string[] {
  const seen = new Set<string>();
  const visit = (source: string) => {
    if (seen.has(source)) return;
    seen.add(source);
    const text = readFileSync(source, 'utf8');
    for (const [, spec] of text.matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)) {
      if (spec!.startsWith('.')) visit(path.resolve(path.dirname(source), spec!.replace(/\.js$/, '.ts')));
      else seen.add(spec!);
    }
  };
  visit(path.join(ROOT, file));
  return [...seen].map((f) => (path.isAbsolute(f) ? path.relative(ROOT, f) : f));
}
