// Over ~300 lines: the PromQL queries and the parsing of their answers for one MetricsSource; the queries
// and their readers must agree, so they stay together.
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
  type UnmeasuredMetric,
} from './metrics-source.port';
import { coreSecondsPerSecondToPercent, secondsToMs } from './metric-units';
import {
  addToTally,
  classifyRequests,
  DEFAULT_REQUEST_STATUS,
  EMPTY_TALLY,
  errorRatioOf,
  type RequestStatusConventions,
  unclassifiedReason,
} from './request-status';

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
  /** Which label says a request failed (`integrations.metrics.request_status`); default: 5xx on the shipped labels. */
  readonly requestStatus?: RequestStatusConventions;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(\d+)([smh])$/;
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** The PromQL this adapter sends, built from the settings (exported so tests and docs show the exact text). */
export interface PrometheusQueries {
  /**
   * Request rate per service and per value of every status label at once. PromQL cannot
   * pick labels by a pattern over their names, but `sum by` over a label a series does not
   * have simply groups it under the empty value: one query returns, per service, one series
   * per status combination, and the series with none of the labels are exactly the traffic
   * whose outcome is unknown. Errors are then classified here, series by series, by the same
   * rule as the scrape source (request-status.ts), whichever convention the exporter uses.
   */
  readonly requestRateByStatus: string;
  readonly latencyP99Seconds: string;
  readonly cpuCoreSecondsPerSecond: string;
}

export function buildPrometheusQueries(
  serviceLabel: string,
  rateWindow: string,
  services: readonly string[],
  statusLabels: readonly string[],
): PrometheusQueries {
  // Only the requested services: a shared Prometheus may hold hundreds of jobs.
  const only = `${serviceLabel}=~"${promqlString(services.map(escapeRegex).join('|'))}"`;
  const by = `sum by (${serviceLabel})`;
  const byStatus = [serviceLabel, ...statusLabels.filter((label) => label !== serviceLabel)];
  return {
    requestRateByStatus: `sum by (${byStatus.join(', ')}) (rate(http_requests_total{${only}}[${rateWindow}]))`,
    latencyP99Seconds:
      `histogram_quantile(0.99, sum by (${serviceLabel}, le) ` +
      `(rate(http_request_duration_seconds_bucket{${only}}[${rateWindow}])))`,
    cpuCoreSecondsPerSecond: `${by} (rate(process_cpu_seconds_total{${only}}[${rateWindow}]))`,
  };
}

/**
 * RED metrics from a Prometheus server through its HTTP API (`/api/v1/query`,
 * instant queries over `rate_window`). The three queries run in parallel; the
 * error ratio is computed here from the per-status request rates (a PromQL
 * division would drop a service that has no 5xx series at all — prom-client
 * creates a label combination only at its first request). A service whose
 * request series carry no status label is sampled without an error rate and
 * marked `unmeasured`: missing data, never 0 % errors.
 */
export class PrometheusMetricsSource implements MetricsSource {
  readonly kind = 'prometheus';
  private readonly http: HttpFetch;
  private readonly now: () => number;
  private readonly serviceLabel: string;
  private readonly rateWindow: string;
  private readonly windowS: number;
  private readonly requestStatus: RequestStatusConventions;

  constructor(private readonly options: PrometheusMetricsSourceOptions) {
    this.http = options.http ?? fetch;
    this.now = options.now ?? Date.now;
    this.serviceLabel = options.config.service_label ?? 'job';
    this.rateWindow = options.config.rate_window ?? '1m';
    this.requestStatus = options.requestStatus ?? DEFAULT_REQUEST_STATUS;
    // Labels are pasted into PromQL: only label names may get there.
    if (!LABEL_NAME.test(this.serviceLabel)) {
      throw new Error(
        `integrations.metrics.prometheus.service_label: ${JSON.stringify(this.serviceLabel)} is not a Prometheus label name`,
      );
    }
    const badLabel = this.requestStatus.labels.find((label) => !LABEL_NAME.test(label));
    if (badLabel !== undefined) {
      throw new Error(
        `integrations.metrics.request_status.labels: ${JSON.stringify(badLabel)} is not a Prometheus label name`,
      );
    }
    if (this.requestStatus.labels.length === 0) {
      throw new Error(
        'integrations.metrics.request_status.labels: must name at least one label (none: no error could ever be measured)',
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
      this.requestStatus.labels,
    );
    const [requests, p99, cpu] = await Promise.all([
      this.query(q.requestRateByStatus),
      this.query(q.latencyP99Seconds),
      this.query(q.cpuCoreSecondsPerSecond),
    ]);
    const requestsByService = groupByService(requests, this.serviceLabel);
    const p99ByService = lastByService(p99, this.serviceLabel);
    const cpuByService = lastByService(cpu, this.serviceLabel);
    const samples: ServiceSample[] = [];
    const missing: MissingService[] = [];
    for (const service of unique) {
      const rows = (requestsByService.get(service) ?? []).filter((row) => row.value !== null);
      if (rows.length === 0) {
        missing.push({
          service,
          reason: `no http_requests_total series with ${this.serviceLabel}="${service}" in Prometheus`,
        });
        continue;
      }
      const tally = rows.reduce(
        (sum, row) =>
          addToTally(sum, classifyRequests(row.metric, this.requestStatus), row.value ?? 0),
        EMPTY_TALLY,
      );
      const hasTraffic = tally.requests > 0;
      const errorRatio = errorRatioOf(tally);
      const latencyRow = p99ByService.get(service);
      const latency = latencyRow?.value ?? null;
      const cpuRate = cpuByService.get(service)?.value ?? null;
      const unmeasured: UnmeasuredMetric[] = [];
      if (errorRatio === 'unmeasurable') {
        const labelled = rows.some(
          (row) => classifyRequests(row.metric, this.requestStatus) !== 'unclassified',
        );
        unmeasured.push({
          metric: 'error_rate_ratio',
          reason: unclassifiedReason(
            `http_requests_total{${this.serviceLabel}="${service}"}`,
            this.requestStatus,
            labelled,
          ),
        });
      }
      // A quantile over no observations is NaN (null): quiet. No histogram at all is missing data.
      if (hasTraffic && latencyRow === undefined) {
        unmeasured.push({
          metric: 'latency_p99_ms',
          reason: `no http_request_duration_seconds_bucket series with ${this.serviceLabel}="${service}" in Prometheus — p99 cannot be measured`,
        });
      }
      samples.push({
        service,
        at: new Date(Math.max(...rows.map((row) => row.atS)) * 1000).toISOString(),
        window_s: this.windowS,
        request_rate_rps: tally.requests,
        error_rate_ratio: errorRatio === 'unmeasurable' ? null : errorRatio,
        latency_p99_ms:
          hasTraffic && latency !== null && Number.isFinite(latency) ? secondsToMs(latency) : null,
        ...(cpuRate === null ? {} : { cpu_usage_percent: coreSecondsPerSecondToPercent(cpuRate) }),
        ...(unmeasured.length === 0 ? {} : { unmeasured }),
      });
    }
    return { at, samples, missing };
  }

  /** One instant query → service → value (null for NaN: e.g. a quantile over no observations). */
  private async query(promql: string): Promise<VectorRow[]> {
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
    return parseVector(body['data'], url, response.status);
  }
}

/** One element of an instant vector: its labels, timestamp (s) and value (null for NaN). */
interface VectorRow {
  readonly metric: Readonly<Record<string, string>>;
  readonly atS: number;
  readonly value: number | null;
}

function parseVector(data: unknown, url: string, status: number): VectorRow[] {
  if (!isRecord(data) || data['resultType'] !== 'vector' || !Array.isArray(data['result'])) {
    throw new MetricsSourceError(
      `Prometheus query ${url} answered without a vector result: ${bodyExcerpt(JSON.stringify(data) ?? '')}`,
      url,
      status,
    );
  }
  const rows: VectorRow[] = [];
  for (const item of data['result'] as unknown[]) {
    if (!isRecord(item) || !isRecord(item['metric']) || !Array.isArray(item['value'])) continue;
    const [atS, valueText] = item['value'] as unknown[];
    if (typeof atS !== 'number' || typeof valueText !== 'string') continue;
    const metric: Record<string, string> = {};
    for (const [name, value] of Object.entries(item['metric'])) {
      if (typeof value === 'string') metric[name] = value;
    }
    rows.push({ metric, atS, value: parsePromValue(valueText) });
  }
  return rows;
}

function groupByService(
  rows: readonly VectorRow[],
  serviceLabel: string,
): Map<string, VectorRow[]> {
  const byService = new Map<string, VectorRow[]>();
  for (const row of rows) {
    const service = row.metric[serviceLabel];
    if (service === undefined) continue;
    const list = byService.get(service);
    if (list === undefined) byService.set(service, [row]);
    else list.push(row);
  }
  return byService;
}

/** For queries already summed by the service label: one row per service. */
function lastByService(rows: readonly VectorRow[], serviceLabel: string): Map<string, VectorRow> {
  const byService = new Map<string, VectorRow>();
  for (const [service, list] of groupByService(rows, serviceLabel)) {
    const last = list[list.length - 1];
    if (last !== undefined) byService.set(service, last);
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
