import { spanStatusMismatch } from '@opscrew/config';
import {
  type MetricsSnapshot,
  type MissingService,
  type ServiceSample,
} from './metrics-source.port';
import { nanosecondsToMs, percentToRatio } from './metric-units';

/**
 * One item of SigNoz's `/api/v1/services` (bare array) or `/api/v2/services`
 * (`{status, data: [...]}`) answer, field names and units as SigNoz sends them.
 */
export interface SignozServiceItem {
  readonly serviceName: string;
  /** Nanoseconds (600 ms = 600 000 000). */
  readonly p99: number;
  /** Nanoseconds. */
  readonly avgDuration: number;
  readonly numCalls: number;
  /** Requests per second over the queried range. */
  readonly callRate: number;
  readonly numErrors: number;
  /** A percentage 0–100, not a fraction. */
  readonly errorRate: number;
  readonly num4XX: number;
  /** A percentage 0–100. */
  readonly fourXXRate: number;
}

export type SignozServicesVersion = 'v1' | 'v2';

/** The body did not have the documented shape; the message says what was wrong. */
export class SignozBodyError extends Error {
  override readonly name = 'SignozBodyError';
}

const NUMERIC_FIELDS = [
  'p99',
  'avgDuration',
  'numCalls',
  'callRate',
  'numErrors',
  'errorRate',
  'num4XX',
  'fourXXRate',
] as const;

/** Checks the documented shape of a v1 (bare array) or v2 (`{status: "success", data}`) body. */
export function parseSignozServicesBody(
  body: unknown,
  version: SignozServicesVersion,
): SignozServiceItem[] {
  let items: unknown;
  if (version === 'v1') {
    items = body;
  } else {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SignozBodyError('expected {"status": "success", "data": [...]}');
    }
    const envelope = body as Record<string, unknown>;
    if (envelope['status'] !== 'success') {
      throw new SignozBodyError(`status is ${JSON.stringify(envelope['status'])}, not "success"`);
    }
    items = envelope['data'];
  }
  // Go marshals an empty slice as null: no service had traffic.
  if (items === null) return [];
  if (!Array.isArray(items))
    throw new SignozBodyError(`expected an array of services, got ${typeof items}`);
  return items.map((item, index) => checkItem(item, index));
}

function checkItem(item: unknown, index: number): SignozServiceItem {
  if (typeof item !== 'object' || item === null)
    throw new SignozBodyError(`item ${index} is not an object`);
  const record = item as Record<string, unknown>;
  if (typeof record['serviceName'] !== 'string' || record['serviceName'] === '') {
    throw new SignozBodyError(`item ${index} has no serviceName`);
  }
  for (const field of NUMERIC_FIELDS) {
    const value = record[field];
    // Fields SigNoz omits are zero (Go's omitempty); a present field must be a finite number.
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new SignozBodyError(
        `item ${index} (${String(record['serviceName'])}): ${field} is not a number`,
      );
    }
  }
  const number = (field: (typeof NUMERIC_FIELDS)[number]): number =>
    (record[field] as number | undefined) ?? 0;
  return {
    serviceName: record['serviceName'],
    p99: number('p99'),
    avgDuration: number('avgDuration'),
    numCalls: number('numCalls'),
    callRate: number('callRate'),
    numErrors: number('numErrors'),
    errorRate: number('errorRate'),
    num4XX: number('num4XX'),
    fourXXRate: number('fourXXRate'),
  };
}

/**
 * SigNoz's service list counts a call as an error when its span status is Error (`statusCode
 * = 2` in its query; OTel HTTP servers set it for 5xx), not by a status label: the label list
 * of `request_status` does not apply, and error classes other than 5xx cannot be measured
 * (its `num4XX` is left 0 by current versions), so they are refused at start, naming the key.
 */
export function assertSpanStatusErrors(
  errorPrefixes: readonly string[] | undefined,
  source: 'signoz' | 'signoz-mcp',
): void {
  const mismatch = errorPrefixes === undefined ? null : spanStatusMismatch(errorPrefixes);
  if (mismatch !== null) {
    throw new Error(
      `integrations.metrics.request_status.error_prefixes cannot be used with the ${source} source: ${mismatch}`,
    );
  }
}

/** One SigNoz item → our sample, every unit converted by its named function. */
export function signozServiceToSample(
  item: SignozServiceItem,
  at: string,
  windowS: number,
): ServiceSample {
  const hasTraffic = item.numCalls > 0;
  return {
    service: item.serviceName,
    at,
    window_s: windowS,
    request_rate_rps: item.callRate,
    error_rate_ratio: hasTraffic ? percentToRatio(item.errorRate) : null,
    latency_p99_ms: hasTraffic ? nanosecondsToMs(item.p99) : null,
  };
}

export const NO_TRAFFIC_REASON = 'no traffic reported by SigNoz';

/**
 * The snapshot for the requested services from SigNoz's service list, however
 * it arrived (its HTTP route, or its MCP server's `signoz_list_services`): a
 * service SigNoz left out had no traffic in the window (SigNoz omits idle ones).
 */
export function signozSnapshot(
  items: readonly SignozServiceItem[],
  services: readonly string[],
  window: { readonly endMs: number; readonly windowS: number; readonly nowMs: number },
): MetricsSnapshot {
  const at = new Date(window.endMs).toISOString();
  const byName = new Map(items.map((item) => [item.serviceName, item]));
  const samples: ServiceSample[] = [];
  const missing: MissingService[] = [];
  for (const service of new Set(services)) {
    const item = byName.get(service);
    if (item === undefined) missing.push({ service, reason: NO_TRAFFIC_REASON });
    else samples.push(signozServiceToSample(item, at, window.windowS));
  }
  return { at: new Date(window.nowMs).toISOString(), samples, missing };
}
