/**
 * The parts of the MCP SDK the server uses, in one module: scripts/build.js bundles it (the SDK
 * and the zod it builds its protocol schemas with) into dist/sdk.js, loaded only by `safeweb
 * mcp`. ajv, which the SDK loads for client-side elicitation only, is left out of that bundle:
 * serve.ts gives the Server a validator of its own. The SDK's stdio transport is not used
 * (stdio-transport.ts says why).
 */
export { Server } from '@modelcontextprotocol/sdk/server/index.js';
export {
  CallToolRequestSchema,
  InitializeRequestSchema,
  JSONRPCMessageSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
