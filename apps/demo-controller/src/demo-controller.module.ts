import { type DynamicModule, Module } from '@nestjs/common';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';

/** demo-controller: alive on the bus with heartbeats and /health; scenarios plug in here. */
@Module({})
export class DemoControllerModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    return {
      module: DemoControllerModule,
      imports: [AgentCoreModule.forRoot({ agent: 'demo-controller', loaded, runtime })],
    };
  }
}
