/**
 * The root help (`safeweb`, `safeweb --help`, `-h`, `help`) without building the commander
 * tree: the build (scripts/build.js) takes the help's parts from the live tree
 * (help/extract.ts) and main.ts lays them out here for the terminal's width, as commander's
 * Help does. test/help/root.test.ts checks the two agree at every width.
 */
export interface RootHelp {
  usage: string;
  description: string;
  /** The width commander pads option terms to. */
  termWidth: number;
  options: Array<[term: string, description: string]>;
  /** What addHelpText('after') writes: the command list, examples and exit codes. */
  after: string;
}

/** Commander's Help.minWidthToWrap: narrower than this, text is not wrapped. */
const MIN_WIDTH_TO_WRAP = 40;

export function formatRootHelp(help: RootHelp, helpWidth: number | undefined): string {
  const width = helpWidth ?? 80;
  const items = help.options.map(([term, description]) => formatItem(term, description, help.termWidth, width));
  const body = [`Usage: ${help.usage}`, ''];
  if (help.description) body.push(boxWrap(help.description, width), '');
  if (items.length) body.push('Options:', ...items, '');
  return `${body.join('\n')}${help.after ? `${help.after}\n` : ''}`;
}

function formatItem(term: string, description: string, termWidth: number, width: number): string {
  if (!description) return `  ${term}`;
  const remaining = width - termWidth - 4;
  const text =
    remaining < MIN_WIDTH_TO_WRAP || /\n[^\S\r\n]/.test(description)
      ? description
      : boxWrap(description, remaining).replace(/\n/g, `\n${' '.repeat(termWidth + 2)}`);
  return `  ${term.padEnd(termWidth)}  ${text.replace(/\n/g, '\n  ')}`;
}

/** Commander's Help.boxWrap: words carried whole to the next line; plain text only. */
function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const lines: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (!chunks) {
      lines.push('');
      continue;
    }
    let current = chunks.shift()!;
    for (const chunk of chunks) {
      if (current.length + chunk.length <= width) current += chunk;
      else {
        lines.push(current);
        current = chunk.trimStart();
      }
    }
    lines.push(current);
  }
  return lines.join('\n');
}

// The parts, put here by the build (scripts/build.js); undefined when running from source.
declare const __SAFEWEB_ROOT_HELP__: string | undefined;

export function builtRootHelp(): RootHelp | undefined {
  return typeof __SAFEWEB_ROOT_HELP__ === 'string' ? (JSON.parse(__SAFEWEB_ROOT_HELP__) as RootHelp) : undefined;
}
