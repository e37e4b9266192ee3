import {
  bodyExcerpt,
  fetchText,
  isRecord,
  MetricsSourceError,
  tryParseJson,
  type HttpFetch,
} from './metrics-http';
import {
  type LogSearch,
  type LogSummary,
  type MetricsSnapshot,
  type MetricsSource,
  type TraceSearch,
  type TraceSummary,
} from './metrics-source.port';
import {
  buildLogSearchRequest,
  type LogSearchOptions,
  parseLogSearchBody,
} from './signoz-logs.mapper';
import { epochMsToNanosString } from './metric-units';
import {
  assertSpanStatusErrors,
  parseSignozServicesBody,
  SignozBodyError,
  signozSnapshot,
  type SignozServicesVersion,
} from './signoz-services.mapper';

export { NO_TRAFFIC_REASON } from './signoz-services.mapper';
import {
  buildTraceSearchRequest,
  parseTraceSearchBody,
  type TraceSearchOptions,
} from './signoz-traces.mapper';

/**
 * SigNoz pulls an `end` within the last 30 s back by 30 s (spans are still
 * arriving). We ask for a window that already ends 30 s ago, so the window we
 * report is the one SigNoz computed the rates over.
 */
export const SIGNOZ_INGESTION_LAG_MS = 30_000;

/** Window per collect: one minute, like the Prometheus adapter's default `rate_window`. */
export const SIGNOZ_DEFAULT_WINDOW_S = 60;

export interface SignozSettings {
  readonly url: string;
  readonly api_key: string;
  readonly timeout_ms: number;
  /** `/api/v2/services` (v0.102+) or the deprecated `/api/v1/services`. */
  readonly use_v2_services?: boolean;
}

export interface SignozMetricsSourceOptions {
  readonly config: SignozSettings;
  readonly http?: HttpFetch;
  readonly now?: () => number;
  readonly windowS?: number;
  /**
   * `integrations.metrics.request_status.error_prefixes`: SigNoz decides errors by span
   * status (5xx), so anything but `["5"]` is refused here rather than silently not measured.
   */
  readonly errorPrefixes?: readonly string[];
}

/**
 * RED metrics from SigNoz's per-service route (the one its UI and MCP server
 * use), trace and log search through `/api/v5/query_range`. SigNoz's units are
 * converted at this boundary: p99 ns → ms, errorRate % → ratio.
 */
export class SignozMetricsSource implements MetricsSource, TraceSearch, LogSearch {
  readonly kind = 'signoz';
  private readonly http: HttpFetch;
  private readonly now: () => number;
  private readonly windowS: number;
  private readonly baseUrl: string;

  constructor(private readonly options: SignozMetricsSourceOptions) {
    this.http = options.http ?? fetch;
    this.now = options.now ?? Date.now;
    this.windowS = options.windowS ?? SIGNOZ_DEFAULT_WINDOW_S;
    this.baseUrl = options.config.url.replace(/\/+$/, '');
    assertSpanStatusErrors(options.errorPrefixes, 'signoz');
  }

  async collect(services: readonly string[]): Promise<MetricsSnapshot> {
    const version: SignozServicesVersion =
      this.options.config.use_v2_services === false ? 'v1' : 'v2';
    const endMs = this.now() - SIGNOZ_INGESTION_LAG_MS;
    const startMs = endMs - this.windowS * 1000;
    const path = `/api/${version}/services`;
    const body = await this.post(path, {
      start: epochMsToNanosString(startMs),
      end: epochMsToNanosString(endMs),
      tags: [],
    });
    let items;
    try {
      items = parseSignozServicesBody(body, version);
    } catch (error) {
      throw this.shapeError(path, error, body);
    }
    return signozSnapshot(items, services, { endMs, windowS: this.windowS, nowMs: this.now() });
  }

  async searchTraces(service: string, options: TraceSearchOptions): Promise<TraceSummary[]> {
    const path = '/api/v5/query_range';
    const body = await this.post(path, buildTraceSearchRequest(service, options, this.now()));
    try {
      return parseTraceSearchBody(body, service);
    } catch (error) {
      throw this.shapeError(path, error, body);
    }
  }

  async searchLogs(service: string, options: LogSearchOptions): Promise<LogSummary[]> {
    const path = '/api/v5/query_range';
    const body = await this.post(path, buildLogSearchRequest(service, options, this.now()));
    try {
      return parseLogSearchBody(body, service);
    } catch (error) {
      throw this.shapeError(path, error, body);
    }
  }

  private async post(path: string, payload: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const response = await fetchText(this.http, {
      url,
      what: 'SigNoz',
      timeoutMs: this.options.config.timeout_ms,
      init: {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'SIGNOZ-API-KEY': this.options.config.api_key,
        },
        body: JSON.stringify(payload),
      },
    });
    const body = tryParseJson(response.text);
    if (response.status >= 200 && response.status < 300) {
      if (body === undefined) {
        throw new MetricsSourceError(
          `SigNoz ${url} answered HTTP ${response.status} with a non-JSON body: ${bodyExcerpt(response.text)}`,
          url,
          response.status,
        );
      }
      return body;
    }
    const detail = signozErrorMessage(body) ?? bodyExcerpt(response.text);
    const prefix =
      response.status === 401 || response.status === 403
        ? `SigNoz ${url} rejected the API key (HTTP ${response.status})`
        : `SigNoz ${url} answered HTTP ${response.status}`;
    throw new MetricsSourceError(`${prefix}: ${detail}`, url, response.status);
  }

  private shapeError(path: string, error: unknown, body: unknown): unknown {
    if (!(error instanceof SignozBodyError)) return error;
    const url = `${this.baseUrl}${path}`;
    return new MetricsSourceError(
      `SigNoz ${url}: unexpected answer (${error.message}): ${bodyExcerpt(JSON.stringify(body) ?? '')}`,
      url,
    );
  }
}

/**
 * SigNoz error bodies: v5 `{status: "error", error: {type, code, message}}`,
 * older routes `{status: "error", errorType, error: "message"}`.
 */
function signozErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const error = body['error'];
  if (isRecord(error) && typeof error['message'] === 'string') {
    const code = typeof error['code'] === 'string' ? error['code'] : error['type'];
    return bodyExcerpt(
      typeof code === 'string' ? `${code}: ${error['message']}` : error['message'],
    );
  }
  if (typeof error === 'string') {
    const type = typeof body['errorType'] === 'string' ? `${body['errorType']}: ` : '';
    return bodyExcerpt(`${type}${error}`);
  }
  return undefined;
}
