/**
 * The MCP tool names and whether each reads or writes: imported by the `mcp` command's flag
 * parsing (an unknown --tools name is a usage error at start), so it imports nothing.
 */
export const READ_TOOLS = [
  'portfolio_status',
  'customer_list',
  'customer_get',
  'breach_check',
  'breach_lookup',
  'partner_analytics',
  'plan',
  'audit_search',
  'findings_list',
  'outbox_status',
  'psa_plan',
] as const;

/** `customer_magic_link` mints a login credential, so it counts as a write. */
export const WRITE_TOOLS = [
  'customer_onboard',
  'customer_update_assets',
  'customer_offboard',
  'customer_reactivate',
  'breach_resolve',
  'customer_magic_link',
] as const;

export type ToolName = (typeof READ_TOOLS)[number] | (typeof WRITE_TOOLS)[number];

export const TOOL_NAMES: readonly ToolName[] = [...READ_TOOLS, ...WRITE_TOOLS];

export function isWriteTool(name: string): boolean {
  return (WRITE_TOOLS as readonly string[]).includes(name);
}
