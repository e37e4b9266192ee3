import { type SourceBreaker, type SourceRateLimit } from '@opscrew/ports';
import {
  type LogSearch,
  type LogSummary,
  type MetricsSnapshot,
  type MetricsSource,
  type TraceSearch,
  type TraceSummary,
} from './metrics-source.port';

export interface MetricsSourceGuards {
  /** One breaker for the whole API; absent for `scrape`, whose breakers are per target. */
  readonly breaker?: SourceBreaker;
  /** Every source goes through one, unlimited where no limit is configured. */
  readonly rateLimit: SourceRateLimit;
}

/**
 * The port, guarded: a call first fails fast if the breaker is open (without
 * using a rate-limit slot), then takes a slot or fails fast with a
 * RateLimitedError, then runs through the breaker (every error counts as a
 * failure). Nothing waits: a skipped cycle is better than a queue.
 */
export class GuardedMetricsSource implements MetricsSource {
  constructor(
    protected readonly inner: MetricsSource,
    readonly guards: MetricsSourceGuards,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  collect(services: readonly string[]): Promise<MetricsSnapshot> {
    return this.guarded(() => this.inner.collect(services));
  }

  protected async guarded<T>(call: () => Promise<T>): Promise<T> {
    const { breaker, rateLimit } = this.guards;
    breaker?.throwIfOpen();
    rateLimit.acquire();
    return breaker === undefined ? call() : breaker.execute(call);
  }
}

/** The same, for a source that also searches traces and logs (SigNoz): every call shares the guards. */
export class GuardedSearchSource extends GuardedMetricsSource implements TraceSearch, LogSearch {
  constructor(
    private readonly searchInner: MetricsSource & TraceSearch & LogSearch,
    guards: MetricsSourceGuards,
  ) {
    super(searchInner, guards);
  }

  searchTraces(
    service: string,
    options: Parameters<TraceSearch['searchTraces']>[1],
  ): Promise<TraceSummary[]> {
    return this.guarded(() => this.searchInner.searchTraces(service, options));
  }

  searchLogs(
    service: string,
    options: Parameters<LogSearch['searchLogs']>[1],
  ): Promise<LogSummary[]> {
    return this.guarded(() => this.searchInner.searchLogs(service, options));
  }
}

/** Whether a source can search traces (SigNoz can; scrape, Prometheus and signoz-mcp cannot). */
export function isTraceSearch(source: MetricsSource): source is MetricsSource & TraceSearch {
  return typeof (source as Partial<TraceSearch>).searchTraces === 'function';
}

/** Whether a source can search logs (SigNoz can; scrape, Prometheus and signoz-mcp cannot). */
export function isLogSearch(source: MetricsSource): source is MetricsSource & LogSearch {
  return typeof (source as Partial<LogSearch>).searchLogs === 'function';
}
