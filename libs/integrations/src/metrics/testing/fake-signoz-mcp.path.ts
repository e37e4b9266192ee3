import { resolve } from 'node:path';

/** The SigNoz MCP server stand-in (run with `node FAKE_SIGNOZ_MCP_SERVER_PATH`). */
export const FAKE_SIGNOZ_MCP_SERVER_PATH = resolve(__dirname, 'fake-signoz-mcp-server.mjs');
