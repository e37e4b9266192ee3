import { type OpscrewConfig } from '@opscrew/config';
import { type LoggerService } from '@nestjs/common';
import { type AuditSink } from '@opscrew/ports';
import { AnthropicLlmClient } from './anthropic.llm-client';
import { McpToolbox } from './mcp/mcp-toolbox';
import { type LlmClient } from './llm-client.port';
import { llmSettingsFromConfig, toolWhitelistsFromConfig } from './llm-settings';
import { RulesLlmClient } from './rules.llm-client';
import { type ToolProvider } from './tools/llm-tool';
import { ToolWhitelist } from './tools/tool-whitelist';

export interface CreateLlmClientOptions {
  readonly config: OpscrewConfig;
  /** The agent this process is. */
  readonly agent: string;
  readonly audit: AuditSink;
  /** In-process tools and connected McpToolboxes. */
  readonly toolProviders?: readonly ToolProvider[];
  readonly logger?: Pick<LoggerService, 'log' | 'warn'>;
}

/**
 * The LlmClient for this deployment: Claude when `integrations.llm.api_key`
 * is set, the deterministic rules otherwise. Bind it to LLM_CLIENT:
 * `{ provide: LLM_CLIENT, useFactory: (cfg, audit) => createLlmClient({…}), inject: [...] }`.
 */
export function createLlmClient(options: CreateLlmClientOptions): LlmClient {
  const settings = llmSettingsFromConfig(options.config);
  if (settings === null) return new RulesLlmClient();
  return new AnthropicLlmClient({
    settings,
    agent: options.agent,
    whitelist: new ToolWhitelist(toolWhitelistsFromConfig(options.config)),
    audit: options.audit,
    ...(options.toolProviders !== undefined ? { toolProviders: options.toolProviders } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
}

/** The MCP servers of `mcp_servers` that list this agent, connected; close() it on shutdown. */
export function connectMcpToolbox(
  config: OpscrewConfig,
  agent: string,
  projectRoot: string,
): Promise<McpToolbox> {
  return McpToolbox.connect({ agent, servers: config.mcp_servers, cwd: projectRoot });
}
