import { type DynamicModule, Module } from '@nestjs/common';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { IncidentIntakeService } from './intake/incident-intake.service';

/** jira-resolver: takes incidents from the bus. */
@Module({})
export class JiraResolverModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    return {
      module: JiraResolverModule,
      imports: [AgentCoreModule.forRoot({ agent: 'jira-resolver', loaded, runtime })],
      providers: [IncidentIntakeService],
    };
  }
}
