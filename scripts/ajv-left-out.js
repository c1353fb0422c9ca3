// What the MCP SDK gets for ajv and ajv-formats in dist/sdk.js (scripts/build.js says why).
export default function ajvLeftOut() {
  throw new Error('ajv is not bundled with safeweb mcp');
}
