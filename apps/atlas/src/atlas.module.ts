import { type DynamicModule, Module } from '@nestjs/common';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { AgentsController } from './agents.controller';
import { IncidentsController } from './incidents.controller';
import { LedgerRecorder } from './ledger/ledger-recorder.service';
import { LivenessService } from './liveness/liveness.service';
import { ReportWriter } from './reports/report-writer.service';

/** atlas: agent liveness, the incident ledger, reports. */
@Module({})
export class AtlasModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    return {
      module: AtlasModule,
      imports: [AgentCoreModule.forRoot({ agent: 'atlas', loaded, runtime })],
      controllers: [AgentsController, IncidentsController],
      providers: [LivenessService, LedgerRecorder, ReportWriter],
    };
  }
}
