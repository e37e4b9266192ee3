// atlas's public entry point: what the CLI may use (`opscrew start`, `opscrew mcp`). The rest
// of apps/atlas is internal (eslint.config.mjs, zones from scripts/lint/layers.js).
export { startAtlas } from './main';
export { createCrewMcpServer, type CrewMcpServerOptions } from './mcp/crew-mcp.server';
export { type CrewMcpTools, type CrewMcpWiring, openCrewMcpTools } from './mcp/crew-mcp.wiring';
export {
  CHAT_COMMAND_DEFINITIONS,
  discordCommandRegistrations,
  type DiscordCommandRegistration,
} from './chatops/chat-command.definitions';
export { type ChatResponse } from './chatops/chat.controller';
