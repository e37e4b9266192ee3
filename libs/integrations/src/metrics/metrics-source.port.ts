/**
 * The metrics port: what ops-monitor (and jira-resolver's verification) read
 * each cycle. Adapters (direct scrape, Prometheus, SigNoz, SigNoz MCP) convert
 * units at their boundary, so every number here carries its unit in its name:
 * a rate in requests per second, an error rate as a ratio 0..1, latency in ms.
 */
export interface ServiceSample {
  readonly service: string;
  /** End of the measurement window (ISO-8601). */
  readonly at: string;
  /** Length of the window the rates were computed over, in seconds. */
  readonly window_s: number;
  readonly request_rate_rps: number;
  /**
   * errors / requests over the window; null when there were no requests, or when the errors
   * could not be measured (then `unmeasured` says so and why).
   */
  readonly error_rate_ratio: number | null;
  /** p99 latency over the window in milliseconds; null when there were no requests (or `unmeasured`). */
  readonly latency_p99_ms: number | null;
  readonly cpu_usage_percent?: number;
  readonly memory_usage_percent?: number;
  /**
   * The missing marker: metrics this source could not measure although the service had
   * traffic (e.g. no status label on its request series). Their value is null, never a 0
   * that reads as healthy; detection reports each as a data-quality warning.
   */
  readonly unmeasured?: readonly UnmeasuredMetric[];
}

/** A metric a source could not measure for a service that had traffic, and why. */
export interface UnmeasuredMetric {
  readonly metric: 'error_rate_ratio' | 'latency_p99_ms';
  /** Names the series and what was looked for, e.g. `no … series with a status label among …`. */
  readonly reason: string;
}

export interface MissingService {
  readonly service: string;
  /** Why no sample: not exposed by this source, scrape failed, first scrape (no window yet)… */
  readonly reason: string;
}

export interface MetricsSnapshot {
  readonly at: string;
  readonly samples: readonly ServiceSample[];
  readonly missing: readonly MissingService[];
}

export interface MetricsSource {
  /** `scrape`, `prometheus`, `signoz`, `signoz-mcp`. */
  readonly kind: string;
  /** Fresh RED metrics for each requested service (by configured name). */
  collect(services: readonly string[]): Promise<MetricsSnapshot>;
}

/** One trace, as far as a ticket needs it. */
export interface TraceSummary {
  readonly trace_id: string;
  readonly service: string;
  readonly operation: string;
  readonly duration_ms: number;
  readonly has_error: boolean;
  readonly at: string;
}

/** Sources that can search traces (SigNoz) implement this too. */
export interface TraceSearch {
  searchTraces(
    service: string,
    options: { errorsOnly?: boolean; minDurationMs?: number; sinceMs: number; limit: number },
  ): Promise<TraceSummary[]>;
}

/** One log line, as far as a ticket needs it; `body` is the watched system's text (data). */
export interface LogSummary {
  readonly at: string;
  readonly service: string;
  /** `ERROR`, `FATAL`… as the source reports it. */
  readonly severity: string;
  readonly body: string;
}

/** Sources that can search logs (SigNoz) implement this too. */
export interface LogSearch {
  searchLogs(
    service: string,
    options: { sinceMs: number; limit: number; severities?: readonly string[] },
  ): Promise<LogSummary[]>;
}

export const METRICS_SOURCE = Symbol('METRICS_SOURCE');
