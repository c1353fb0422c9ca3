// jq-web ships no types: it exports a promise of jq (compiled to WebAssembly) once it is loaded.
declare module 'jq-web' {
  interface Jq {
    /** jq's stdout for `jq FLAGS FILTER` over `json`; throws with `exitCode` and `stderr` when jq fails. */
    raw(json: string, filter: string, flags?: string[]): string | undefined;
  }
  const jq: Promise<Jq>;
  export default jq;
}
