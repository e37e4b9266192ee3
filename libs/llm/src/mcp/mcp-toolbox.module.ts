import { type DynamicModule, Module } from '@nestjs/common';
import { AGENT_NAME, LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { connectMcpToolbox } from '../llm-client.factory';
import { MCP_TOOLBOX } from './mcp-toolbox';

/**
 * The MCP servers that list the running agent (AGENT_NAME), connected once: MCP_TOOLBOX for
 * its model's tools and for the signoz-mcp metrics source. Import the same module object
 * wherever the toolbox is needed (the app and MetricsSourceModule), so there is one
 * connection; it closes on shutdown (McpToolbox.onApplicationShutdown).
 */
@Module({})
export class McpToolboxModule {
  static register(): DynamicModule {
    return {
      module: McpToolboxModule,
      providers: [
        {
          provide: MCP_TOOLBOX,
          inject: [LOADED_CONFIG, AGENT_NAME],
          useFactory: (loaded: LoadedConfig, agent: string) =>
            connectMcpToolbox(loaded.config, agent, loaded.projectRoot),
        },
      ],
      exports: [MCP_TOOLBOX],
    };
  }
}
