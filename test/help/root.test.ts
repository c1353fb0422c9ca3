/**
 * The root help is answered from parts the build took from the commander tree
 * (src/help/root.ts). Here: laid out at any width it is exactly commander's own help, and the
 * built binary answers it in every form (to a pipe, from the text the build laid out:
 * dist/root-help.txt). That it does so without loading the rest of the tool is speed, measured by
 * `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { rootHelpParts } from '../../src/help/extract.js';
import { formatRootHelp } from '../../src/help/root.js';
import { buildProgram } from '../../src/program.js';
import { BIN, cleanEnv, quietContext, runInPty, tempDir } from '../helpers/cli.js';

/** The live tree, its output collected. */
async function liveProgram(): Promise<{ program: Command; written: () => string }> {
  let out = '';
  const ctx = quietContext({ write: (text: string) => ((out += text), true) });
  return { program: await buildProgram(ctx), written: () => out };
}

/** Commander's own root help for a terminal `width` columns wide (undefined: not a terminal, 80). */
async function commanderHelp(width: number | undefined): Promise<string> {
  const { program, written } = await liveProgram();
  program.configureOutput({ getOutHelpWidth: () => width as number });
  await expect(program.parseAsync(['--help'], { from: 'user' })).rejects.toMatchObject({
    code: 'commander.helpDisplayed',
  });
  return written();
}

const parts = async () => rootHelpParts((await liveProgram()).program);

describe('the root help from build-time parts', () => {
  it.each([undefined, 20, 39, 40, 45, 60, 79, 80, 100, 132, 250])('is commander’s own at width %s', async (width) => {
    const expected = await commanderHelp(width);
    expect(expected).toContain('Options:');
    expect(formatRootHelp(await parts(), width)).toBe(expected);
  });

  it('the narrow and wide layouts differ, so the comparison above can fail', async () => {
    expect(await commanderHelp(45)).not.toBe(await commanderHelp(250));
  });

  it.each([[['--help']], [['-h']], [['help']], [[]]])('the binary answers safeweb %j with it', async (argv) => {
    const { dir, cleanup } = tempDir();
    try {
      const r = spawnSync(process.execPath, [BIN, ...argv], {
        env: cleanEnv({ SAFEWEB_CONFIG_DIR: dir }) as NodeJS.ProcessEnv,
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(formatRootHelp(await parts(), undefined));
    } finally {
      cleanup();
    }
  });

  it('on a terminal the binary lays it out for the terminal’s width, not as a pipe gets it', async () => {
    const pty = runInPty(['--help'], { columns: 45 });
    expect(await pty.exit).toBe(0);
    expect(pty.screen()).toBe(formatRootHelp(await parts(), 45));
    expect(pty.screen()).not.toBe(formatRootHelp(await parts(), undefined));
  });
});
