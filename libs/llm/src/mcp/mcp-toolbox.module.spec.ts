import { Test } from '@nestjs/testing';
import { loadConfig, OpscrewConfigModule } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { MCP_TOOLBOX, McpToolbox } from './mcp-toolbox';
import { McpToolboxModule } from './mcp-toolbox.module';

describe('McpToolboxModule', () => {
  it('connects the servers that list the running agent, once for every importer', async () => {
    // The shipped config lists no MCP server: an empty toolbox, nothing spawned.
    const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: { OPSCREW_SHOP_TOKEN: 't' } });
    const mcp = McpToolboxModule.register();
    const moduleRef = await Test.createTestingModule({
      imports: [OpscrewConfigModule.forRoot({ agent: 'ops-monitor', loaded }), mcp],
    }).compile();
    const toolbox = moduleRef.get<McpToolbox>(MCP_TOOLBOX);
    expect(toolbox).toBeInstanceOf(McpToolbox);
    expect(moduleRef.get(MCP_TOOLBOX, { strict: false })).toBe(toolbox);
    await moduleRef.close();
  });
});
