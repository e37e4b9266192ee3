import { errorMessage } from '@opscrew/contracts';
import { isBreakerOpenError, type SourceBreaker } from '@opscrew/ports';
import { bodyExcerpt, fetchText, MetricsSourceError, type HttpFetch } from './metrics-http';
import {
  type MetricsSnapshot,
  type MetricsSource,
  type MissingService,
  type ServiceSample,
} from './metrics-source.port';
import { ExpositionParseError, parsePrometheusText } from './prometheus-text.parser';
import { DEFAULT_REQUEST_STATUS, type RequestStatusConventions } from './request-status';
import { NoHttpMetricsError, readScrape, type ScrapeReading } from './scrape-reading';
import { computeScrapeWindow } from './scrape-window';

/**
 * Two collects closer than this (a verification overlapping a detection
 * cycle) would divide by a few milliseconds: the rate is computed against an
 * older scrape instead.
 */
export const MIN_SCRAPE_WINDOW_MS = 1_000;

/**
 * A previous scrape older than this (the target was down, its breaker open)
 * would average a fresh spike away over many minutes: start a new window.
 */
export const MAX_SCRAPE_WINDOW_MS = 10 * 60_000;

/** Readings kept per target while waiting for one old enough; bounds memory under a tight loop. */
const MAX_HISTORY = 16;

/** What we ask for: the 0.0.4 text format is what the parser reads (prom-client serves nothing else). */
const ACCEPT = 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1';

export const NOT_EXPOSED_REASON = 'not exposed by the scrape source';
export const FIRST_SCRAPE_REASON = 'first scrape: no window yet';

export interface ScrapeSourceSettings {
  readonly timeout_ms: number;
  /** service → Prometheus text endpoint. */
  readonly targets: Readonly<Record<string, string>>;
}

export interface ScrapeMetricsSourceOptions {
  readonly config: ScrapeSourceSettings;
  /** Which label says a request failed (`integrations.metrics.request_status`); default: 5xx on the shipped labels. */
  readonly requestStatus?: RequestStatusConventions;
  readonly http?: HttpFetch;
  /** Epoch ms; injectable so a test controls the window length exactly. */
  readonly now?: () => number;
  /**
   * The breaker for one target (called once per configured service, named
   * `scrape:<service>`): one dead service must not blind us to the others.
   */
  readonly breakerFor?: (breakerName: string) => SourceBreaker;
  /** Per-service memory limits, when known: memory is reported only as a share of a limit. */
  readonly memoryLimitBytes?: Readonly<Record<string, number>>;
}

/**
 * The embedded default: reads each service's Prometheus text endpoint
 * directly (in parallel, each with its own timeout and breaker) and computes
 * rates over the window since the previous scrape of that target.
 */
export class ScrapeMetricsSource implements MetricsSource {
  readonly kind = 'scrape';
  private readonly http: HttpFetch;
  private readonly now: () => number;
  private readonly requestStatus: RequestStatusConventions;
  private readonly breakers = new Map<string, SourceBreaker>();
  /** Per service, oldest first; see MIN/MAX_SCRAPE_WINDOW_MS. */
  private readonly history = new Map<string, ScrapeReading[]>();

  constructor(private readonly options: ScrapeMetricsSourceOptions) {
    this.http = options.http ?? fetch;
    this.now = options.now ?? Date.now;
    this.requestStatus = options.requestStatus ?? DEFAULT_REQUEST_STATUS;
    for (const [service, url] of Object.entries(options.config.targets)) {
      try {
        new URL(url);
      } catch {
        throw new Error(
          `integrations.metrics.scrape.targets.${service}: invalid URL ${JSON.stringify(url)}`,
        );
      }
      if (options.breakerFor !== undefined) {
        this.breakers.set(service, options.breakerFor(`scrape:${service}`));
      }
    }
  }

  async collect(services: readonly string[]): Promise<MetricsSnapshot> {
    const results = await Promise.all([...new Set(services)].map((s) => this.collectOne(s)));
    const samples: ServiceSample[] = [];
    const missing: MissingService[] = [];
    for (const result of results) {
      if ('reason' in result) missing.push(result);
      else samples.push(result);
    }
    return { at: new Date(this.now()).toISOString(), samples, missing };
  }

  private async collectOne(service: string): Promise<ServiceSample | MissingService> {
    const url = this.options.config.targets[service];
    if (url === undefined) return { service, reason: NOT_EXPOSED_REASON };
    let reading: ScrapeReading;
    try {
      const breaker = this.breakers.get(service);
      reading =
        breaker === undefined
          ? await this.scrape(url)
          : await breaker.execute(() => this.scrape(url));
    } catch (error) {
      return { service, reason: failureReason(error) };
    }
    const base = this.remember(service, reading);
    if (base.kind === 'none') return { service, reason: base.reason };
    return computeScrapeWindow(service, base.reading, reading, {
      requestStatus: this.requestStatus,
      ...(this.options.memoryLimitBytes?.[service] === undefined
        ? {}
        : { memoryLimitBytes: this.options.memoryLimitBytes[service] }),
    });
  }

  private async scrape(url: string): Promise<ScrapeReading> {
    const what = 'scrape of';
    const response = await fetchText(this.http, {
      url,
      what,
      timeoutMs: this.options.config.timeout_ms,
      init: { method: 'GET', headers: { accept: ACCEPT } },
    });
    if (response.status !== 200) {
      throw new MetricsSourceError(
        `${what} ${url} answered HTTP ${response.status}: ${bodyExcerpt(response.text)}`,
        url,
        response.status,
      );
    }
    const at = this.now();
    try {
      return readScrape(parsePrometheusText(response.text), at, this.requestStatus);
    } catch (error) {
      if (error instanceof ExpositionParseError) {
        throw new MetricsSourceError(
          `${what} ${url}: not a Prometheus text exposition (${error.message})`,
          url,
          response.status,
        );
      }
      if (error instanceof NoHttpMetricsError) {
        throw new MetricsSourceError(`${what} ${url}: ${error.message}`, url, response.status);
      }
      throw error;
    }
  }

  /**
   * Stores the reading and returns the base for its window: the newest
   * earlier reading at least MIN_SCRAPE_WINDOW_MS old and at most
   * MAX_SCRAPE_WINDOW_MS old.
   */
  private remember(
    service: string,
    reading: ScrapeReading,
  ): { kind: 'base'; reading: ScrapeReading } | { kind: 'none'; reason: string } {
    const fresh = (this.history.get(service) ?? []).filter(
      (r) => r.atMs < reading.atMs && reading.atMs - r.atMs <= MAX_SCRAPE_WINDOW_MS,
    );
    const hadStale = (this.history.get(service)?.length ?? 0) > fresh.length;
    const baseIndex = findLastIndex(fresh, (r) => reading.atMs - r.atMs >= MIN_SCRAPE_WINDOW_MS);
    // Older than the base is never needed again: later readings will find the base or newer.
    const kept = [...fresh.slice(Math.max(0, baseIndex)), reading].slice(-MAX_HISTORY);
    this.history.set(service, kept);
    const base = fresh[baseIndex];
    if (base !== undefined) return { kind: 'base', reading: base };
    if (fresh.length > 0) {
      return {
        kind: 'none',
        reason: `${FIRST_SCRAPE_REASON} (previous scrape less than ${MIN_SCRAPE_WINDOW_MS} ms ago)`,
      };
    }
    return {
      kind: 'none',
      reason: hadStale
        ? `${FIRST_SCRAPE_REASON} (previous scrape older than ${MAX_SCRAPE_WINDOW_MS / 1000} s)`
        : FIRST_SCRAPE_REASON,
    };
  }
}

function failureReason(error: unknown): string {
  if (isBreakerOpenError(error)) {
    const last = error.lastFailure === undefined ? '' : `; last failure: ${error.lastFailure}`;
    return `circuit open until ${new Date(error.retryAt).toISOString()}${last}`;
  }
  return `scrape failed: ${errorMessage(error)}`;
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item !== undefined && predicate(item)) return i;
  }
  return -1;
}
