import { Registry } from 'prom-client';

/** Work done right before a scrape: gauges cheaper to read then than to keep current. */
export type ScrapeCollector = () => Promise<void> | void;

/**
 * One Prometheus registry per agent process, served by `GET /metrics` (MetricsController). No
 * global default registry: tests build as many apps as they like in one process. Libraries and
 * apps register their metrics here (`registers: [metrics.registry]`).
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly collectors: ScrapeCollector[] = [];

  /** Runs `collect` before every scrape, in registration order. */
  onScrape(collect: ScrapeCollector): void {
    this.collectors.push(collect);
  }

  /** The Prometheus text exposition, after every collector ran. */
  async render(): Promise<string> {
    for (const collect of this.collectors) await collect();
    return this.registry.metrics();
  }
}
