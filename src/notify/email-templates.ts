/**
 * The email templates an MSP can override: a directory whose `subject.txt` (its first line),
 * `body.txt` and `body.html` (each optional) replace the built-in ones. Plain text with
 * placeholders, `{{title}}`, `{{count}}`, `{{key}}`, `{{items}}` and `{{test}}`, filled in one pass;
 * a template with an unknown placeholder, or that would load anything remote when opened (an
 * image, a style sheet, a CSS url()), is refused.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface EmailTemplates {
  subject?: string | undefined;
  text?: string | undefined;
  html?: string | undefined;
}

const PLACEHOLDERS = ['title', 'count', 'key', 'items', 'test'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const TEMPLATE_FILES = { subject: 'subject.txt', text: 'body.txt', html: 'body.html' } as const;

/** The built-in message: what any part the MSP leaves out is. */
export const BUILT_IN: Required<EmailTemplates> = {
  subject: '{{title}}',
  text: [
    '{{test}}{{items}}',
    '',
    '--',
    'Sent by safeweb notify. SafeWeb also alerts each customer’s own alert recipients itself.',
    'Finding key: {{key}}',
    '',
  ].join('\n'),
  html: [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>{{title}}</title></head>',
    '<body style="font-family: sans-serif; color: #222;">',
    '{{test}}{{items}}',
    '<p style="color: #777; font-size: 12px;">Sent by safeweb notify. SafeWeb also alerts each customer’s own ',
    'alert recipients itself.<br>Finding key: {{key}}</p>',
    '</body></html>',
    '',
  ].join('\n'),
};

/** The template with its placeholders filled; an unknown one (checked away when loading) is left as it is. */
export function fill(template: string, values: Record<Placeholder, string>): string {
  // One pass: a value that itself holds "{{key}}" stays as it is.
  return template.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (whole, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole,
  );
}

const REMOTE_VALUE = String.raw`\s*["']?\s*(?:https?:)?//`;
/** What a mail client would fetch on opening: an image, a frame, a style sheet, a CSS url() or @import. */
const REMOTE = [
  new RegExp(String.raw`\b(?:src|srcset|background|poster|data)\s*=${REMOTE_VALUE}`, 'i'),
  new RegExp(String.raw`<link\b[^>]*\bhref\s*=${REMOTE_VALUE}`, 'i'),
  new RegExp(String.raw`url\(${REMOTE_VALUE}`, 'i'),
  /@import\b/i,
];

/** The problems of a set of templates: unknown placeholders, and remote images or styles in the HTML. */
function templateProblems(templates: EmailTemplates): string[] {
  const found: string[] = [];
  for (const [part, text] of Object.entries(templates) as Array<[keyof EmailTemplates, string | undefined]>) {
    if (text === undefined) continue;
    for (const [, name] of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g))
      if (!(PLACEHOLDERS as readonly string[]).includes(name!))
        found.push(`${TEMPLATE_FILES[part]}: unknown placeholder {{${name}}} (known: ${PLACEHOLDERS.join(', ')})`);
    if (part === 'html' && hasRemote(text))
      found.push(`${TEMPLATE_FILES.html}: loads something remote (an image, a style): the message must load nothing`);
  }
  return found;
}

function hasRemote(html: string): boolean {
  // A link (<a href>) is fine: nothing is fetched until someone follows it.
  return REMOTE.some((pattern) => pattern.test(html));
}

/** The templates of a directory (what is there of subject.txt, body.txt, body.html), checked; exit 2 naming every problem. */
export async function loadTemplates(dir: string): Promise<EmailTemplates> {
  const read = async (file: string): Promise<string | undefined> => {
    try {
      return await fs.readFile(path.join(dir, file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new UsageError(`cannot read the email template ${path.join(dir, file)}: ${(error as Error).message}`);
    }
  };
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new UsageError(
      `the email templates directory ${dir} cannot be used: ${(error as Error).message}`,
      'Point templates at a directory holding subject.txt, body.txt and/or body.html.',
    );
  }
  const templates: EmailTemplates = {
    subject: (await read(TEMPLATE_FILES.subject))?.split(/\r?\n/)[0],
    text: await read(TEMPLATE_FILES.text),
    html: await read(TEMPLATE_FILES.html),
  };
  const problems = templateProblems(templates);
  if (problems.length)
    throw new UsageError(
      `the email templates in ${dir} cannot be used:\n  ${problems.join('\n  ')}`,
      `Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}.`,
    );
  return templates;
}
