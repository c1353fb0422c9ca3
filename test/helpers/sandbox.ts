import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cleanEnv, tempDir } from './cli.js';

export interface SandboxFixture {
  sandbox: Sandbox;
  configDir: string;
  /** Env pointing at the sandbox through SAFEWEB_* variables, with an empty config dir. */
  env: Record<string, string | undefined>;
  close: () => Promise<void>;
}

/** A sandbox in this process on port 0, plus a temporary config dir. */
export async function sandboxFixture(): Promise<SandboxFixture> {
  const sandbox = await startSandbox({ port: 0 });
  const { dir, cleanup } = tempDir();
  return {
    sandbox,
    configDir: dir,
    env: cleanEnv({
      SAFEWEB_CONFIG_DIR: dir,
      SAFEWEB_BASE_URL: sandbox.url,
      SAFEWEB_PARTNER_ID: sandbox.partnerId,
      SAFEWEB_API_KEY: sandbox.apiKey,
    }),
    close: async () => {
      await sandbox.close();
      cleanup();
    },
  };
}

/** Registers a sandbox fixture for the enclosing file or describe block. */
export function useSandbox(): () => SandboxFixture {
  let fx: SandboxFixture | undefined;
  beforeAll(async () => {
    fx = await sandboxFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });
  return () => {
    if (!fx) throw new Error('the sandbox fixture is not started yet');
    return fx;
  };
}
