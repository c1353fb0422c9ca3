import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { READ_TOOLS, TOOL_NAMES, WRITE_TOOLS, type ToolName } from '../../mcp/names.js';
import { examples } from '../examples.js';

/** --tools a,b,c: every name must be a tool's, so a typo cannot silently narrow (or widen) the set. */
function parseToolNames(value: string): ToolName[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(TOOL_NAMES as readonly string[]).includes(n));
  if (unknown.length)
    throw new InvalidArgumentError(
      `unknown tool ${unknown.map((n) => `"${n}"`).join(', ')}; the tools are ${TOOL_NAMES.join(', ')}.`,
    );
  if (names.length === 0) throw new InvalidArgumentError('name at least one tool.');
  return [...new Set(names)] as ToolName[];
}

interface McpFlags {
  allowWrites?: boolean;
  tools?: ToolName[];
}

export function registerMcp(program: Command, ctx: Context): void {
  program
    .command('mcp')
    .summary('serve the partner API to an AI assistant (Model Context Protocol over stdio)')
    .description(
      'Run a Model Context Protocol server on stdin/stdout for an AI assistant (Claude Desktop, VS Code, ...), ' +
        'with the usual --profile / environment / keychain credentials. Read-only unless --allow-writes: ' +
        'without it only the reading tools are listed, and a call of a writing tool is refused before anything ' +
        'is sent. Offboarding and asset removals answer with a preview and a confirmation token first. ' +
        'Personal data in results and errors is masked unless --no-mask-pii (a global flag; said on stderr at ' +
        'start). stdout carries only protocol ' +
        'messages; diagnostics go to stderr.\n\n' +
        `Reading tools: ${READ_TOOLS.join(', ')}.\nWriting tools: ${WRITE_TOOLS.join(', ')}.`,
    )
    .option('--allow-writes', 'list and run the writing tools too (a read-only profile still refuses them)')
    .addOption(
      new Option('--tools <names>', 'only these tools (comma-separated names; an allow-list)').argParser(
        parseToolNames,
      ),
    )
    .addHelpText(
      'after',
      examples(
        'safeweb mcp --profile reporting',
        'safeweb mcp --profile ops --allow-writes --tools customer_get,customer_update_assets',
        'safeweb mcp --profile reporting --no-mask-pii     # results show email addresses as they are',
        '# Claude Desktop / VS Code: "command": "safeweb", "args": ["mcp", "--profile", "reporting"]',
      ),
    )
    .action(async (opts: McpFlags) => {
      const { runMcp } = await import('../../mcp/serve.js');
      // Masked unless the global --no-mask-pii says otherwise, whatever the profile says.
      const maskPii = ctx.globals.maskPii !== false;
      ctx.done(await runMcp({ allowWrites: Boolean(opts.allowWrites), tools: opts.tools, maskPii }, ctx));
    });
}
