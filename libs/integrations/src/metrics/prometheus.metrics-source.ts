import {
  bodyExcerpt,
  fetchText,
  isRecord,
  MetricsSourceError,
  tryParseJson,
  type HttpFetch,
} from './metrics-http';
import {
  type MetricsSnapshot,
  type MetricsSource,
  type MissingService,
  type ServiceSample,
} from './metrics-source.port';
import { coreSecondsPerSecondToPercent, secondsToMs } from './metric-units';

export interface PrometheusSourceSettings {
  readonly url: string;
  readonly timeout_ms: number;
  /** The label that names the service (`job` for plain scrapes, `service_name` for OTel). */
  readonly service_label?: string;
  /** PromQL range for rate(), e.g. `1m`. */
  readonly rate_window?: string;
}

export interface PrometheusMetricsSourceOptions {
  readonly config: PrometheusSourceSettings;
  readonly http?: HttpFetch;
  readonly now?: () => number;
  /** Status-code prefixes that count as errors (default 5xx), matched on `status_code`. */
  readonly errorStatusPrefixes?: readonly string[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(\d+)([smh])$/;
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** The PromQL this adapter sends, built from the settings (exported so tests and docs show the exact text). */
export interface PrometheusQueries {
  readonly requestRate: string;
  readonly errorRate: string;
  readonly latencyP99Seconds: string;
  readonly cpuCoreSecondsPerSecond: string;
}

export function buildPrometheusQueries(
  serviceLabel: string,
  rateWindow: string,
  services: readonly string[],
  errorStatusPrefixes: readonly string[],
): PrometheusQueries {
  // Only the requested services: a shared Prometheus may hold hundreds of jobs.
  const only = `${serviceLabel}=~"${promqlString(services.map(escapeRegex).join('|'))}"`;
  const errors = `status_code=~"${promqlString(`(${errorStatusPrefixes.map(escapeRegex).join('|')}).*`)}"`;
  const by = `sum by (${serviceLabel})`;
  return {
    requestRate: `${by} (rate(http_requests_total{${only}}[${rateWindow}]))`,
    errorRate: `${by} (rate(http_requests_total{${only},${errors}}[${rateWindow}]))`,
    latencyP99Seconds:
      `histogram_quantile(0.99, sum by (${serviceLabel}, le) ` +
      `(rate(http_request_duration_seconds_bucket{${only}}[${rateWindow}])))`,
    cpuCoreSecondsPerSecond: `${by} (rate(process_cpu_seconds_total{${only}}[${rateWindow}]))`,
  };
}

/**
 * RED metrics from a Prometheus server through its HTTP API (`/api/v1/query`,
 * instant queries over `rate_window`). The four queries run in parallel; the
 * error ratio is computed here from two rates (a PromQL division drops a
 * service that has no 5xx series at all).
 */
export class PrometheusMetricsSource implements MetricsSource {
  readonly kind = 'prometheus';
  private readonly http: HttpFetch;
  private readonly now: () => number;
  private readonly serviceLabel: string;
  private readonly rateWindow: string;
  private readonly windowS: number;
  private readonly errorPrefixes: readonly string[];

  constructor(private readonly options: PrometheusMetricsSourceOptions) {
    this.http = options.http ?? fetch;
    this.now = options.now ?? Date.now;
    this.serviceLabel = options.config.service_label ?? 'job';
    this.rateWindow = options.config.rate_window ?? '1m';
    this.errorPrefixes = options.errorStatusPrefixes ?? ['5'];
    // The label is pasted into PromQL: only a label name may get there.
    if (!LABEL_NAME.test(this.serviceLabel)) {
      throw new Error(
        `integrations.metrics.prometheus.service_label: ${JSON.stringify(this.serviceLabel)} is not a Prometheus label name`,
      );
    }
    const duration = DURATION.exec(this.rateWindow);
    if (duration === null) {
      throw new Error(
        `integrations.metrics.prometheus.rate_window: ${JSON.stringify(this.rateWindow)} must be a PromQL duration like 1m`,
      );
    }
    this.windowS = Number(duration[1]) * (SECONDS_PER_UNIT[duration[2] ?? 's'] ?? 1);
  }

  async collect(services: readonly string[]): Promise<MetricsSnapshot> {
    const unique = [...new Set(services)];
    const at = new Date(this.now()).toISOString();
    if (unique.length === 0) return { at, samples: [], missing: [] };
    const q = buildPrometheusQueries(
      this.serviceLabel,
      this.rateWindow,
      unique,
      this.errorPrefixes,
    );
    const [requests, errors, p99, cpu] = await Promise.all([
      this.query(q.requestRate),
      this.query(q.errorRate),
      this.query(q.latencyP99Seconds),
      this.query(q.cpuCoreSecondsPerSecond),
    ]);
    const samples: ServiceSample[] = [];
    const missing: MissingService[] = [];
    for (const service of unique) {
      const rate = requests.get(service);
      if (rate === undefined || rate.value === null) {
        missing.push({
          service,
          reason: `no http_requests_total series with ${this.serviceLabel}="${service}" in Prometheus`,
        });
        continue;
      }
      const requestRate = rate.value;
      const hasTraffic = requestRate > 0;
      const latency = p99.get(service)?.value ?? null;
      const cpuRate = cpu.get(service)?.value ?? null;
      samples.push({
        service,
        at: new Date(rate.atS * 1000).toISOString(),
        window_s: this.windowS,
        request_rate_rps: requestRate,
        error_rate_ratio: hasTraffic ? (errors.get(service)?.value ?? 0) / requestRate : null,
        latency_p99_ms:
          hasTraffic && latency !== null && Number.isFinite(latency) ? secondsToMs(latency) : null,
        ...(cpuRate === null ? {} : { cpu_usage_percent: coreSecondsPerSecondToPercent(cpuRate) }),
      });
    }
    return { at, samples, missing };
  }

  /** One instant query → service → value (null for NaN: e.g. a quantile over no observations). */
  private async query(promql: string): Promise<Map<string, { atS: number; value: number | null }>> {
    const url = `${this.options.config.url.replace(/\/+$/, '')}/api/v1/query`;
    // POSTed as a form (the API accepts both): the URL in errors stays readable.
    const response = await fetchText(this.http, {
      url,
      what: 'Prometheus query',
      timeoutMs: this.options.config.timeout_ms,
      init: {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ query: promql }).toString(),
      },
    });
    const body = tryParseJson(response.text);
    if (!isRecord(body)) {
      throw new MetricsSourceError(
        `Prometheus query ${url} answered HTTP ${response.status} with a non-JSON body: ${bodyExcerpt(response.text)}`,
        url,
        response.status,
      );
    }
    if (body['status'] !== 'success') {
      const type = typeof body['errorType'] === 'string' ? body['errorType'] : 'unknown';
      const message =
        typeof body['error'] === 'string' ? body['error'] : bodyExcerpt(response.text);
      throw new MetricsSourceError(
        `Prometheus query at ${url} failed (HTTP ${response.status}, ${type}): ${bodyExcerpt(message)} — query: ${promql}`,
        url,
        response.status,
      );
    }
    return parseVector(body['data'], this.serviceLabel, url, response.status);
  }
}

function parseVector(
  data: unknown,
  serviceLabel: string,
  url: string,
  status: number,
): Map<string, { atS: number; value: number | null }> {
  if (!isRecord(data) || data['resultType'] !== 'vector' || !Array.isArray(data['result'])) {
    throw new MetricsSourceError(
      `Prometheus query ${url} answered without a vector result: ${bodyExcerpt(JSON.stringify(data) ?? '')}`,
      url,
      status,
    );
  }
  const byService = new Map<string, { atS: number; value: number | null }>();
  for (const item of data['result'] as unknown[]) {
    if (!isRecord(item) || !isRecord(item['metric']) || !Array.isArray(item['value'])) continue;
    const service = item['metric'][serviceLabel];
    const [atS, valueText] = item['value'] as unknown[];
    if (typeof service !== 'string' || typeof atS !== 'number' || typeof valueText !== 'string')
      continue;
    byService.set(service, { atS, value: parsePromValue(valueText) });
  }
  return byService;
}

/** Prometheus serialises sample values as strings: "1.5", "NaN", "+Inf". NaN → null. */
export function parsePromValue(text: string): number | null {
  if (text === 'NaN') return null;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) || text.trim() === '' ? null : value;
}

/** RE2 metacharacters escaped: a service name is matched literally. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Inside a PromQL double-quoted string literal. */
function promqlString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
