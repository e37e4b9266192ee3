import { type MetricsGuardProvider } from '@opscrew/ports';
import {
  CircuitBreaker,
  type BreakerLogger,
  type BreakerState,
  type BreakerStateListener,
} from './circuit-breaker';
import { QueryRateLimit } from './query-rate-limit';

export interface CircuitBreakerRegistryOptions {
  /** Epoch ms; shared by every breaker and rate limit handed out. */
  readonly now?: () => number;
  readonly logger?: BreakerLogger;
}

/**
 * One place that hands out the guards of an app's outbound sources — a named
 * breaker each (one per scrape target, one per API), configured from
 * `thresholds.guardrails.circuit_breaker`, and the per-source query rate
 * limits — and lists them for /metrics: the metrics adapters'
 * `MetricsGuardProvider` (`@opscrew/ports`).
 */
export class CircuitBreakerRegistry implements MetricsGuardProvider {
  private readonly byName = new Map<string, CircuitBreaker>();
  private readonly listeners = new Set<BreakerStateListener>();

  constructor(
    private readonly config: {
      readonly failure_threshold: number;
      readonly reset_timeout_s: number;
    },
    private readonly options: CircuitBreakerRegistryOptions = {},
  ) {}

  /** The breaker with this name, created on first use. */
  breaker(name: string): CircuitBreaker {
    let breaker = this.byName.get(name);
    if (breaker === undefined) {
      breaker = CircuitBreaker.fromConfig(name, this.config, this.options);
      breaker.onStateChange((change) => {
        for (const listener of this.listeners) {
          try {
            listener(change);
          } catch (error) {
            // One broken subscriber (a metrics exporter) must not starve the others.
            const reason = error instanceof Error ? error.message : String(error);
            this.options.logger?.warn(`${name}: breaker state listener failed: ${reason}`);
          }
        }
      });
      this.byName.set(name, breaker);
    }
    return breaker;
  }

  /** A query rate limit for one source; `maxPerMinute` null means unlimited. */
  rateLimit(name: string, maxPerMinute: number | null): QueryRateLimit {
    return maxPerMinute === null
      ? QueryRateLimit.unlimited(name)
      : QueryRateLimit.perMinute(name, maxPerMinute, this.options.now);
  }

  get breakers(): readonly CircuitBreaker[] {
    return [...this.byName.values()];
  }

  /** Every breaker's current state, for a gauge. */
  states(): { readonly name: string; readonly state: BreakerState }[] {
    return this.breakers.map((b) => ({ name: b.name, state: b.state }));
  }

  /** `open`/`closed` reports from every breaker, each outage once. */
  onStateChange(listener: BreakerStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
