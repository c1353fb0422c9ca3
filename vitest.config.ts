import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The slow suites: they run once, on Node 20, in `npm test` (`vitest run` runs both projects).
 * On Node 22 and 24 CI runs the core alone (scripts/test-on-node.sh: `--project core`). Chosen by
 * time (`vitest run --reporter=verbose`): the kill and crash suites, and the sweeps that push
 * every command or tool through a validator; together about a third of the suite's time.
 */
const SLOW = [
  // SIGKILL three times mid-run on a failing API, then resume until done (~12 s).
  'test/crash-resume.test.ts',
  // Every kind of command against resets, 5xx bursts, 429, slow, truncated and HTML answers (~30 s).
  'test/faults.test.ts',
  // Every command's output, --debug included, searched for the API key and each secret (~55 s).
  'test/secrets.test.ts',
  // Every MCP tool's result checked against its output schema (ajv) and the CLI's --json (~22 s).
  'test/mcp/server.test.ts',
  // The audit's findings, each through the binary against a loopback server (~12 s).
  'test/nothing-leaked.test.ts',
  // Five answer sequences through all four front doors that onboard, the MCP server included (~28 s).
  'test/customers/service.test.ts',
  // 500 customers watched behind a full pipe, killed -9, and watched again (~10 s).
  'test/commands/portfolio/watch-kill.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Removes the temporary directories each test file made (test/helpers/cli.ts tempDir).
    setupFiles: ['test/helpers/clean-temp.ts'],
    // End-to-end tests spawn the built binary; two cores here, so keep the pool small.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'core', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...SLOW] },
      },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
