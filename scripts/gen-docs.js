#!/usr/bin/env node
// Regenerates docs/commands.md, the command reference, from the live command tree (run after
// changing commands, flags or help text; test/docs.test.ts fails while it is stale). Needs a build:
// npm run build.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const page = execFileSync(process.execPath, ['bin/safeweb.js', '__docs'], { cwd: root, encoding: 'utf8' });
writeFileSync(new URL('../docs/commands.md', import.meta.url), page);
console.log('wrote docs/commands.md');
