import { Registry } from 'prom-client';

/**
 * Base of an app's group of metrics: subclasses declare their metrics as fields with
 * `registers: [this.registry]` (the base constructor runs before field initialisers, so the
 * registry is there). Pass AgentMetrics.registry to land on the app's `/metrics`; a test may
 * leave it out and get a registry of its own.
 */
export abstract class MetricSet {
  constructor(readonly registry: Registry = new Registry()) {}
}
