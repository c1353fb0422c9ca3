/**
 * The MCP SDK (and what it pulls in: its zod schemas, ajv) loads only for `safeweb mcp`, never on
 * the start-up path of another command. Checked on the built binary with a module hook that
 * writes down every module resolved under @modelcontextprotocol, or the bundle of it (dist/mcp-sdk.js).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/@modelcontextprotocol|mcp-sdk\\.js/.test(result.url)) appendFileSync(process.env.LOADED_LIST, result.url + '\\n');
  return result;
}
`;

function sdkLoadedBy(argv: string[]): { code: number | null; sdk: boolean } {
  const { dir } = tempDir();
  writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  const preload = path.join(dir, 'preload.mjs');
  writeFileSync(preload, `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  const list = path.join(dir, 'loaded.txt');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...argv], {
    env: cleanEnv({ LOADED_LIST: list, SAFEWEB_CONFIG_DIR: dir }) as NodeJS.ProcessEnv,
    input: '',
    encoding: 'utf8',
  });
  return { code: r.status, sdk: existsSync(list) && readFileSync(list, 'utf8').trim() !== '' };
}

describe('the MCP SDK stays off every other start-up path', () => {
  it.each([
    [['--help'], 0],
    [['--version'], 0],
    [['mcp', '--help'], 0],
    [['mcp', '--tools', 'nope'], 2],
    [['completion', 'bash'], 0],
    [['customer', 'list'], 4],
    [['health', '--base-url', 'http://127.0.0.1:1', '--retries', '0'], 5],
  ])('safeweb %j', (argv, code) => {
    expect(sdkLoadedBy(argv)).toEqual({ code, sdk: false });
  });

  it('while `safeweb mcp` does load it (so the check above can fail)', () => {
    // stdin is empty and closed: the server starts, sees the end, and stops.
    expect(sdkLoadedBy(['mcp'])).toEqual({ code: 0, sdk: true });
  });
});
