/** The MCP `psa_plan` tool (issue 29 item 4): `psa plan --json` through the read-only MCP server, sending nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcp, type McpSessionUnderTest } from '../mcp/helpers.js';
import { psaFixture, type PsaFixture } from './psa-fixture.js';

describe('psa_plan over MCP', () => {
  let fx: PsaFixture;
  let mcp: McpSessionUnderTest;
  beforeAll(async () => {
    fx = await psaFixture();
    mcp = await connectMcp([], fx.env);
  });
  afterAll(async () => {
    await mcp?.close();
    await fx?.close();
  });

  it('answers what `psa plan --json` says, and changes nothing at the PSA', async () => {
    const result = await mcp.call('psa_plan', { includeExisting: true, maxCreates: 3 });
    expect(result.isError).toBeFalsy();
    const cli = await fx.json(['psa', 'plan', '--include-existing', '--max-creates', '3']);
    expect(result.structuredContent).toEqual(cli);
    expect(result.structuredContent).toMatchObject({ connection: 'cw', counts: { create: 3 }, held: 6 });
    expect(fx.cw.state.tickets).toHaveLength(0);
  });

  it('an unknown connection is an error naming the configured ones', async () => {
    const result = await mcp.call('psa_plan', { connection: 'halo' });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('no PSA connection named \\"halo\\"; configured: cw');
  });
});
