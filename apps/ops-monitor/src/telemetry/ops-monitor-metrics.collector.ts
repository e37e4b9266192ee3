import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AgentMetrics } from '@opscrew/agent-core';
import { CircuitBreakerRegistry, type OutboxService } from '@opscrew/guardrails';
import { MONITOR_CONFIG, OUTBOX } from '../ops-monitor.tokens';
import { QualityTracker } from '../quality/quality.tracker';
import { OpsMonitorMetrics } from './ops-monitor.metrics';

/** What the collector reads of the config (MONITOR_CONFIG): the metrics source's name. */
export interface CollectorConfig {
  readonly integrations: { readonly metrics: { readonly source: string } };
}

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Gauges that are cheaper to read at scrape time than to keep current:
 * outbox depth, breaker states, quality ratios. Registered with AgentMetrics.onScrape,
 * so `GET /metrics` refreshes them before rendering the app's registry.
 */
@Injectable()
export class OpsMonitorMetricsCollector implements OnModuleInit {
  private readonly source: string;

  constructor(
    private readonly metrics: OpsMonitorMetrics,
    @Inject(OUTBOX) private readonly outbox: OutboxService,
    private readonly breakers: CircuitBreakerRegistry,
    private readonly quality: QualityTracker,
    @Inject(MONITOR_CONFIG) config: CollectorConfig,
    private readonly agentMetrics: AgentMetrics,
  ) {
    this.source = config.integrations.metrics.source;
  }

  onModuleInit(): void {
    this.agentMetrics.onScrape(() => this.collect());
  }

  async collect(): Promise<void> {
    this.metrics.outboxDepth.reset();
    for (const entry of await this.outbox.depth()) {
      this.metrics.outboxDepth.set({ kind: entry.kind, state: entry.state }, entry.count);
    }
    for (const { name, state } of this.breakers.states()) {
      this.metrics.breakerState.set({ source: this.source, target: name }, BREAKER_VALUE[state]);
    }
    const report = this.quality.report();
    for (const [dimension, value] of [
      ['completeness', report.completeness_ratio],
      ['actionability', report.actionability_ratio],
      ['accuracy', report.accuracy_ratio],
    ] as const) {
      if (value !== null) this.metrics.qualityRatio.set({ dimension }, value);
    }
  }
}
