/**
 * The README, CONTRIBUTING.md and docs/: the command reference is the live tree's (`npm run docs`
 * regenerates it), every link leads to a file and a heading that exist, the commands the README
 * shows are commands of the tool with flags it has, and the exit codes documented are the tool's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, Option } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { buildProgram } from '../src/program.js';
import { quietContext, ROOT, runInProcess } from './helpers/cli.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const DOCS = readdirSync(path.join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const PAGES = ['README.md', 'CONTRIBUTING.md', ...DOCS];

/** Text outside fenced blocks and inline code: what Markdown reads as links and headings. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchors for a page's headings, a repeated one numbered (-1, -2) as GitHub does. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutFences = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading] of withoutFences.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n ? `${slug}-${n}` : slug);
  }
  return out;
}

describe('the command reference', () => {
  it('docs/commands.md is the live command tree (run `npm run build && npm run docs` if not)', async () => {
    const r = await runInProcess(['__docs']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(read('docs/commands.md'));
    // Read from the whole tree: a verb of the last noun and a nested one are there.
    expect(r.stdout).toContain('## `safeweb audit`');
    expect(r.stdout).toContain('## `safeweb webhook secret cycle`');
  });
});

describe('links', () => {
  it('are found (so the check below reads something)', () => {
    expect([...prose(read('README.md')).matchAll(/\]\(([^)\s]+)\)/g)].length).toBeGreaterThan(20);
    expect(anchors(read('README.md'))).toContain('tickets-in-your-psa-connectwise-autotask-halopsa');
    expect(anchors(read('docs/output.md'))).toContain('the---json-rule');
  });

  it.each(PAGES)('every link of %s leads to a file and a heading that exist', (page) => {
    const links = [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    const broken: string[] = [];
    for (const link of links) {
      if (/^(https?|mailto):/.test(link)) continue;
      const [file = '', anchor] = link.split('#');
      const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
      if (!existsSync(path.join(ROOT, target))) {
        broken.push(`${link}: no file ${target}`);
        continue;
      }
      if (anchor !== undefined && target.endsWith('.md') && !anchors(read(target)).has(anchor))
        broken.push(`${link}: no heading #${anchor} in ${target}`);
    }
    expect(broken).toEqual([]);
  });
});

describe('the README', () => {
  const readme = read('README.md');

  it('is a guide for users: at most 400 lines, its contents naming every section', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
    const contents = readme.slice(
      readme.indexOf('## Contents'),
      readme.indexOf('\n## ', readme.indexOf('## Contents') + 1),
    );
    const listed = new Set([...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!));
    const sections = [...anchors(readme)].filter((a) => a !== 'safeweb' && a !== 'contents');
    expect(sections.length).toBeGreaterThan(10);
    expect(sections.filter((s) => !listed.has(s))).toEqual([]);
  });

  it('gives the two set-up commands, which are scripts of package.json', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(readme).toContain('npm ci && npm run quickstart');
    expect(readme).toMatch(/^npm test\b/m);
    expect(pkg.scripts['quickstart']).toBeDefined();
    expect(pkg.scripts['test']).toBeDefined();
  });
});

/** `|`, `||`, `&&`, `&`, `;` and redirections (`>`, `>>`, `2>&1`, `<`). */
const OPERATOR = /^(\d?>>?(&\d)?|\d?<|\|\|?|&&?|;)/;

/** Shell words of a line: quotes kept together, operators and redirections on their own. */
function words(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let quote: string | undefined;
  let started = false;
  const flush = () => {
    if (started) out.push(word);
    word = '';
    started = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '#' && !started) break;
    else if (/\s/.test(c)) flush();
    else if (OPERATOR.test(line.slice(i)) && !(started && /\d/.test(c))) {
      const op = OPERATOR.exec(line.slice(i))![0];
      flush();
      out.push(op);
      i += op.length - 1;
    } else {
      word += c;
      started = true;
    }
  }
  flush();
  return out;
}

/** The `safeweb …` commands of a page's shell and cron blocks, each as its words after `safeweb`. */
function examples(text: string): Array<{ line: string; args: string[] }> {
  const found: Array<{ line: string; args: string[] }> = [];
  for (const [, body] of text.matchAll(/^```(?:sh|bash|cron)\n([\s\S]*?)^```$/gm)) {
    for (const line of body!.replace(/\\\n/g, ' ').split('\n')) {
      const ws = words(line);
      let command: string[] = [];
      const commands: string[][] = [];
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if (/^(\|\|?|&&|;|&)$/.test(w)) {
          commands.push(command);
          command = [];
        } else if (/^\d?(>>?|<)(&\d)?$/.test(w)) {
          if (!/&\d$/.test(w)) i++; // the file a redirection names
        } else command.push(w);
      }
      commands.push(command);
      for (const c of commands) {
        // Cron's five time fields and VAR=value assignments may come first.
        const at = c.findIndex((w) => !/^[\d*/,-]+$/.test(w) && !/^[A-Z_]+=/.test(w));
        if (c[at] === 'safeweb') found.push({ line: line.trim(), args: c.slice(at + 1) });
      }
    }
  }
  return found;
}

describe('the commands the README shows', () => {
  let program: Command;
  beforeAll(async () => {
    program = await buildProgram(quietContext());
  });

  /** What is wrong with `safeweb <args>`, or undefined: the command exists and takes every flag given. */
  function problem(args: string[]): string | undefined {
    let cmd = program;
    const where = () => ['safeweb', ...pathOf(cmd)].join(' ');
    const option = (flag: string): Option | undefined => {
      for (let c: Command | null = cmd; c; c = c.parent)
        for (const o of c.options) if (o.long === flag || o.short === flag) return o;
      return undefined;
    };
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--') {
        // `sandbox exec -- safeweb …`: the command it runs is checked too.
        const rest = args.slice(i + 1);
        return rest[0] === 'safeweb' ? problem(rest.slice(1)) : undefined;
      }
      if (arg.startsWith('-') && arg !== '-') {
        const flag = arg.split('=')[0]!;
        if (flag === '--help' || flag === '-h') continue;
        const o = option(flag);
        if (!o) return `${where()} has no flag ${flag}`;
        if (o.required && !arg.includes('=')) i++;
        continue;
      }
      const subs = cmd.commands.filter((c) => c.name() !== 'help');
      if (subs.length) {
        const sub = subs.find((c) => c.name() === arg || c.aliases().includes(arg));
        if (sub) {
          cmd = sub;
          continue;
        }
        if (!hasAction(cmd)) return `${where()} has no command ${arg}`;
      }
    }
    if (cmd === program || (cmd.commands.length && !hasAction(cmd))) return `${where()} is not a whole command`;
    return undefined;
  }

  it('finds the examples (so the check below reads something)', () => {
    expect(examples(read('README.md')).length).toBeGreaterThan(30);
    expect(examples('```sh\nsafeweb sandbox exec -- safeweb partner plans --al 2>&1 | jq .\n```\n')).toEqual([
      {
        line: 'safeweb sandbox exec -- safeweb partner plans --al 2>&1 | jq .',
        args: ['sandbox', 'exec', '--', 'safeweb', 'partner', 'plans', '--al'],
      },
    ]);
  });

  it('the check finds a command or flag the tool does not have', () => {
    expect(problem(['customer', 'onboard', '--file', 'x.json'])).toBeUndefined();
    expect(problem(['customer', 'onbord'])).toBe('safeweb customer has no command onbord');
    expect(problem(['partner', 'plans', '--al'])).toBe('safeweb partner plans has no flag --al');
    expect(problem(['sandbox', 'exec', '--', 'safeweb', 'partner', 'plans', '--al'])).toBe(
      'safeweb partner plans has no flag --al',
    );
    expect(problem(['webhook'])).toBe('safeweb webhook is not a whole command');
  });

  it.each(['README.md', ...DOCS.filter((d) => d !== 'docs/commands.md')])(
    'every `safeweb` command in the examples of %s exists, with the flags it uses',
    (page) => {
      const wrong = examples(read(page)).flatMap(({ line, args }) => {
        const p = problem(args);
        return p ? [`${line}\n    ${p}`] : [];
      });
      expect(wrong).toEqual([]);
    },
  );
});

function pathOf(cmd: Command): string[] {
  return cmd.parent ? [...pathOf(cmd.parent), cmd.name()] : [];
}

function hasAction(cmd: Command): boolean {
  return Boolean((cmd as unknown as { _actionHandler?: unknown })._actionHandler);
}

describe('the exit codes', () => {
  it('docs/output.md documents exactly the codes the tool uses', () => {
    const output = read('docs/output.md');
    const table = output.slice(output.indexOf('## Exit codes'));
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(documented).toEqual(Object.values(ExitCode));
  });
});
