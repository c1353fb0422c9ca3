#!/usr/bin/env node
// Regenerates completions/ from the live command tree (run after changing commands or flags;
// test/commands/completion fails while they are stale). Needs a build: npm run build.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = { bash: 'completions/safeweb.bash', zsh: 'completions/_safeweb', fish: 'completions/safeweb.fish' };
for (const [shell, file] of Object.entries(files)) {
  const script = execFileSync(process.execPath, ['bin/safeweb.js', 'completion', shell], {
    cwd: root,
    encoding: 'utf8',
  });
  writeFileSync(new URL(`../${file}`, import.meta.url), script);
  console.log(`wrote ${file}`);
}
