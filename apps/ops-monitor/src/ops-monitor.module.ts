import { type DynamicModule, Module } from '@nestjs/common';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';

/** ops-monitor: alive on the bus with heartbeats and /health; detection plugs in here. */
@Module({})
export class OpsMonitorModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    return {
      module: OpsMonitorModule,
      imports: [AgentCoreModule.forRoot({ agent: 'ops-monitor', loaded, runtime })],
    };
  }
}
