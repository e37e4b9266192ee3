import { MetricSet } from '@opscrew/agent-core';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * ops-monitor's own metrics, for the Prometheus that watches the watcher:
 * `GET /metrics`, served by libs/agent-core from the app's one registry
 * (AgentMetrics), next to what every agent exposes (dead letters). A test may
 * build one on a registry of its own.
 */
export class OpsMonitorMetrics extends MetricSet {
  readonly cycles = new Counter({
    name: 'opscrew_monitor_cycles_total',
    help: 'Detection cycles run, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly cycleDuration = new Histogram({
    name: 'opscrew_monitor_cycle_duration_seconds',
    help: 'Wall time of one detection cycle (collect + detect + incidents)',
    // From a few ms (the embedded demo) to the 15 s cycle itself: beyond that, cycles overlap.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [this.registry],
  });

  readonly anomalies = new Counter({
    name: 'opscrew_monitor_anomalies_total',
    help: 'Anomalies detected, by rule and symptom (informational ones included)',
    labelNames: ['rule', 'symptom', 'informational'] as const,
    registers: [this.registry],
  });

  readonly dataQuality = new Counter({
    name: 'opscrew_monitor_data_quality_warnings_total',
    help: 'Data-quality warnings per cycle, by metric and kind (implausible: rejected by the sanity guard; missing: could not be measured)',
    labelNames: ['metric', 'kind'] as const,
    registers: [this.registry],
  });

  readonly silencedAnomalies = new Counter({
    name: 'opscrew_monitor_silenced_anomalies_total',
    help: 'Anomalies on a service in a maintenance window (/silence): recorded as informational, no ticket, by symptom',
    labelNames: ['symptom'] as const,
    registers: [this.registry],
  });

  readonly incidentsOpened = new Counter({
    name: 'opscrew_monitor_incidents_opened_total',
    help: 'Incidents opened (after dedup), by severity',
    labelNames: ['severity'] as const,
    registers: [this.registry],
  });

  readonly reports = new Counter({
    name: 'opscrew_monitor_reports_total',
    help: 'incident.reported events taken, by outcome (opened, updated, unchanged, reopened, noted, nothing_open, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly alertmanagerAlerts = new Counter({
    name: 'opscrew_monitor_alertmanager_alerts_total',
    help: 'Alerts received on POST /alerts/alertmanager, by outcome (reported, duplicate, rejected) and rejection reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly alertmanagerTruncated = new Counter({
    name: 'opscrew_monitor_alertmanager_truncated_alerts_total',
    help: "Alerts Alertmanager left out of its notifications (the receiver's max_alerts)",
    registers: [this.registry],
  });

  readonly servicesChecked = new Gauge({
    name: 'opscrew_monitor_services_checked',
    help: 'Services with a fresh sample in the last cycle',
    registers: [this.registry],
  });

  readonly servicesMissing = new Gauge({
    name: 'opscrew_monitor_services_missing',
    help: 'Configured services without a sample in the last cycle',
    registers: [this.registry],
  });

  readonly outboxDepth = new Gauge({
    name: 'opscrew_monitor_outbox_depth',
    help: 'Side effects waiting in the outbox, by kind and state',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'opscrew_monitor_circuit_breaker_state',
    help: 'Circuit breaker per metrics source target: 0 closed, 1 half-open, 2 open',
    labelNames: ['source', 'target'] as const,
    registers: [this.registry],
  });

  readonly qualityRatio = new Gauge({
    name: 'opscrew_monitor_quality_ratio',
    help: 'Self-evaluation: completeness, actionability, accuracy (0..1)',
    labelNames: ['dimension'] as const,
    registers: [this.registry],
  });
}
