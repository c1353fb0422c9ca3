import { ValidationError } from '../errors.js';

/**
 * JSON.parse, and when it fails, the line and column of the first error. V8's messages carry
 * a position on Node 20 but not always on 22/24, so jsonc-parser (loaded only on failure)
 * locates the error instead.
 */
export async function parseJsonText(text: string, source: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch (error) {
    const { parse, printParseErrorCode } = await import('jsonc-parser');
    const errors: import('jsonc-parser').ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const offset = first?.offset ?? text.length;
    const before = text.slice(0, offset).split('\n');
    const reason = first ? describe(printParseErrorCode(first.error)) : (error as Error).message;
    throw new ValidationError(
      `${source} is not valid JSON: ${reason} at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`,
      [],
      'Fix the file; nothing was sent.',
    );
  }
}

function describe(code: string): string {
  // "PropertyNameExpected" -> "property name expected"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
