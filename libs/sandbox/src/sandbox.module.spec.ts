import { Test } from '@nestjs/testing';
import { loadConfig, OpscrewConfigModule } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { FILE_SANDBOX } from './file-access.port';
import { FileSandbox } from './file-sandbox';
import { type FileSandboxSettings } from './file-sandbox.factory';
import { FILE_SANDBOX_SETTINGS, SandboxModule } from './sandbox.module';

describe('SandboxModule', () => {
  const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: { OPSCREW_SHOP_TOKEN: 't' } });

  it("builds the running agent's sandbox from its own filesystem lists only", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [OpscrewConfigModule.forRoot({ agent: 'atlas', loaded }), SandboxModule.register()],
    }).compile();
    const settings = moduleRef.get<FileSandboxSettings>(FILE_SANDBOX_SETTINGS);
    const filesystem = loaded.config.agents.get('atlas')?.sandbox.filesystem;
    expect(settings).toEqual({
      agent: 'atlas',
      projectRoot: loaded.projectRoot,
      read: filesystem?.read,
      write: filesystem?.write,
    });
    expect(moduleRef.get(FILE_SANDBOX)).toBeInstanceOf(FileSandbox);
    await moduleRef.close();
  });

  it('fails at start-up, naming the agent, when the config has no such agent', async () => {
    const { agents: _, ...rest } = loaded.config;
    const withoutAgents = { ...loaded, config: { ...rest, agents: new Map() } };
    await expect(
      Test.createTestingModule({
        imports: [
          OpscrewConfigModule.forRoot({ agent: 'atlas', loaded: withoutAgents }),
          SandboxModule.register(),
        ],
      }).compile(),
    ).rejects.toThrow(/file sandbox: no agent "atlas"/);
  });
});
