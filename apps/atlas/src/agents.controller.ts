import { Controller, Get } from '@nestjs/common';
import { type AgentLiveness } from './liveness/agent-liveness';
import { LivenessService } from './liveness/liveness.service';

/** `GET /agents`: every configured agent, alive | stale | never_seen, with its heartbeat age. */
@Controller('agents')
export class AgentsController {
  constructor(private readonly liveness: LivenessService) {}

  @Get()
  list(): Promise<AgentLiveness[]> {
    return this.liveness.snapshot();
  }
}
