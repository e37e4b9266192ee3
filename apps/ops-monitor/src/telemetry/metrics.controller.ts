import { Controller, Get, Header } from '@nestjs/common';
import { OpsMonitorMetricsCollector } from './ops-monitor-metrics.collector';

/** `GET /metrics`: ops-monitor's own metrics in the Prometheus text format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly collector: OpsMonitorMetricsCollector) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  text(): Promise<string> {
    return this.collector.render();
  }
}
