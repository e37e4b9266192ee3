import { resolve } from 'node:path';

/** The tiny stdio MCP server (run with `node TINY_MCP_SERVER_PATH`). */
export const TINY_MCP_SERVER_PATH = resolve(__dirname, 'tiny-mcp-server.mjs');
