import { Controller, Get, Header } from '@nestjs/common';
import { AgentMetrics } from './agent-metrics';

/** `GET /metrics`: the agent's own metrics in the Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AgentMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  text(): Promise<string> {
    return this.metrics.render();
  }
}
