import { isRecord } from './metrics-http';
import { type TraceSummary } from './metrics-source.port';
import { msToNanoseconds, nanosecondsToMs } from './metric-units';
import {
  checkSince,
  filterString,
  pick,
  rawRows,
  rawSearchRequest,
  toIso,
  toNumber,
} from './signoz-query-range';

export interface TraceSearchOptions {
  readonly errorsOnly?: boolean;
  readonly minDurationMs?: number;
  /** Epoch ms: the start of the searched range (the end is now). */
  readonly sinceMs: number;
  readonly limit: number;
}

/**
 * Most traces one search returns: a ticket quotes a handful, and the bound
 * keeps one query's answer (and SigNoz's ClickHouse work) small.
 */
export const MAX_TRACE_SEARCH_LIMIT = 1000;

/**
 * The `/api/v5/query_range` body for a raw span search (the shape of the
 * spec's `traces_raw` example): one builder query on the traces signal,
 * filtered by service (and errors / minimum duration), newest first.
 */
export function buildTraceSearchRequest(
  service: string,
  options: TraceSearchOptions,
  nowMs: number,
): Record<string, unknown> {
  checkSince('searchTraces', options.sinceMs, nowMs);
  const filters = [`service.name = ${filterString(service)}`];
  if (options.errorsOnly === true) filters.push('has_error = true');
  if (options.minDurationMs !== undefined) {
    filters.push(`duration_nano >= ${msToNanoseconds(options.minDurationMs)}`);
  }
  return rawSearchRequest(
    {
      signal: 'traces',
      filter: filters.join(' AND '),
      selectFields: [
        { name: 'service.name', fieldContext: 'resource' },
        { name: 'name', fieldContext: 'span' },
        { name: 'duration_nano', fieldContext: 'span' },
        { name: 'has_error', fieldContext: 'span' },
      ],
      order: [{ key: { name: 'timestamp' }, direction: 'desc' }],
      limit: Math.min(MAX_TRACE_SEARCH_LIMIT, Math.max(1, Math.floor(options.limit))),
    },
    options.sinceMs,
    nowMs,
  );
}

/**
 * Raw rows → one summary per trace (the newest span of each trace; rows come
 * newest first). Column names are accepted in both of SigNoz's spellings
 * (`trace_id`/`traceID`, `duration_nano`/`durationNano`, …); duration is
 * nanoseconds and converted by name.
 */
export function parseTraceSearchBody(body: unknown, service: string): TraceSummary[] {
  const seen = new Set<string>();
  const traces: TraceSummary[] = [];
  for (const row of rawRows(body)) {
    const trace = toSummary(row, service);
    if (trace === undefined || seen.has(trace.trace_id)) continue;
    seen.add(trace.trace_id);
    traces.push(trace);
  }
  return traces;
}

function toSummary(row: unknown, service: string): TraceSummary | undefined {
  if (!isRecord(row) || !isRecord(row['data'])) return undefined;
  const data = row['data'];
  const traceId = pick(data, 'trace_id', 'traceID', 'traceId');
  const durationNano = toNumber(pick(data, 'duration_nano', 'durationNano'));
  if (typeof traceId !== 'string' || traceId === '' || durationNano === undefined) return undefined;
  const at = toIso(row['timestamp'] ?? pick(data, 'timestamp'));
  if (at === undefined) return undefined;
  const rowService = pick(data, 'service.name', 'serviceName');
  const operation = pick(data, 'name');
  const hasError = pick(data, 'has_error', 'hasError');
  return {
    trace_id: traceId,
    service: typeof rowService === 'string' && rowService !== '' ? rowService : service,
    operation: typeof operation === 'string' ? operation : '',
    duration_ms: nanosecondsToMs(durationNano),
    has_error: hasError === true || hasError === 'true',
    at,
  };
}
