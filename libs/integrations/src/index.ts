export * from './delivery.error';
export * from './metrics/metrics-source.port';
export * from './notifier/notifier.port';
export * from './tracker/tracker.port';
export * from './metrics/metric-units';
export * from './metrics/metrics-guards.port';
export { MetricsSourceError, type HttpFetch } from './metrics/metrics-http';
export {
  ExpositionParseError,
  parsePrometheusText,
  type ExpositionSample,
  type ParsedExposition,
} from './metrics/prometheus-text.parser';
export * from './metrics/histogram-quantile';
export * from './metrics/scrape.metrics-source';
export * from './metrics/prometheus.metrics-source';
export * from './metrics/signoz.metrics-source';
export * from './metrics/guarded.metrics-source';
export * from './metrics/metrics-source.factory';
export * from './text/neutralise';
export * from './text/truncate';
export * from './outbound/outbound-http.client';
export * from './outbound/delivery-status';
export * from './outbound/retry-after';
export * from './tracker/adf.types';
export * from './tracker/adf.builder';
export * from './tracker/adf.validator';
export * from './tracker/idempotency-key';
export * from './tracker/ticket-lifecycle';
export * from './tracker/jira-transition.cache';
export * from './tracker/jira.tracker';
export * from './tracker/local.tracker';
export * from './notifier/discord-embed.limits';
export * from './notifier/severity-color';
export * from './notifier/discord-message.builder';
export * from './notifier/discord.notifier';
export * from './notifier/console.notifier';
export * from './adapters.factory';
export * from './runtime/runtime.port';
export * from './briefs/incident-brief';
export * from './briefs/incident-brief.renderers';
export * from './briefs/runbook.recommender';
export * from './runtime/runtime-driver';
export * from './runtime/runtime-driver.error';
export * from './runtime/line-splitter';
export * from './runtime/docker/docker-log.demuxer';
export * from './runtime/sandboxed.runtime';
export * from './runtime/docker.runtime-driver';
export * from './runtime/process.runtime-driver';
export * from './runtime/process/supervisor-control.contract';
export * from './runtime/process/log-ring.buffer';
export * from './runtime/process/supervised-process';
export * from './runtime/process/local-process.supervisor';
export * from './runtime/runtime.factory';
