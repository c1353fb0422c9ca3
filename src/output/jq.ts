/**
 * --jq EXPR, with gh's meaning: the expression runs over exactly the document --json prints,
 * and each result is printed on its own line, strings raw. jq itself, compiled to WebAssembly
 * (jq-web), is loaded only when the flag is given; no jq needs to be installed.
 */
import { UsageError } from '../errors.js';

/** The filter's output for one document: one result a line. */
export type JqFilter = (document: unknown) => string;

interface JqFailure extends Error {
  exitCode?: number;
  stderr?: string;
}

/** jq's exit status for an expression that does not compile. */
const COMPILE_ERROR = 3;

/**
 * The filter for `expression`, or exit 2 with jq's message when it does not compile. Checked
 * before the command runs, so a typo never follows a change already made.
 */
export async function compileJq(expression: string): Promise<JqFilter> {
  const { default: loading } = await import('jq-web');
  const jq = await loading;
  const apply = (input: string, flags: string[]): string => {
    // jq's exit status must not become ours (the emscripten runtime sets it on the process).
    const exitCode = process.exitCode;
    try {
      const out = jq.raw(input, expression, flags) ?? '';
      return out === '' || out.endsWith('\n') ? out : `${out}\n`;
    } catch (error) {
      const failure = error as JqFailure;
      const hint = 'The expression runs over the document --json prints; try that first.';
      throw Object.assign(new UsageError(`--jq: ${jqMessage(failure)}`, hint), { jqExitCode: failure.exitCode });
    } finally {
      process.exitCode = exitCode;
    }
  };
  try {
    apply('null', ['-n']);
  } catch (error) {
    // Only a compile error is wrong everywhere; `.[0]` may fail on null and work on the document.
    if ((error as { jqExitCode?: number }).jqExitCode === COMPILE_ERROR) throw error;
  }
  return (document) => apply(JSON.stringify(document) ?? 'null', ['-r', '-c']);
}

function jqMessage(failure: JqFailure): string {
  const text = failure.stderr ?? failure.message;
  return text
    .replace(/^Non-zero exit code: \d+\s*/, '')
    .replace(/\s*\(Unix shell quoting issues\?\)/, '')
    .replace(/\s*jq: \d+ compile errors?\s*$/, '')
    .replace(/^jq: error(?: \(at [^)]*\))?: /, '')
    .replace(/\s+/g, ' ')
    .trim();
}
