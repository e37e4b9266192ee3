import { isRecord } from './metrics-http';
import { type TraceSummary } from './metrics-source.port';
import { msToNanoseconds, nanosecondsToMs } from './metric-units';
import { SignozBodyError } from './signoz-services.mapper';

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

/** Earliest plausible `sinceMs` (2001-09-09): anything smaller is a duration passed where a timestamp belongs. */
const MIN_EPOCH_MS = 1_000_000_000_000;

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
  if (!Number.isFinite(options.sinceMs) || options.sinceMs < MIN_EPOCH_MS) {
    throw new Error(
      `searchTraces: sinceMs must be an epoch timestamp in ms, got ${options.sinceMs}`,
    );
  }
  if (options.sinceMs >= nowMs) {
    throw new Error(
      `searchTraces: sinceMs ${new Date(options.sinceMs).toISOString()} is not in the past`,
    );
  }
  const filters = [`service.name = ${filterString(service)}`];
  if (options.errorsOnly === true) filters.push('has_error = true');
  if (options.minDurationMs !== undefined) {
    filters.push(`duration_nano >= ${msToNanoseconds(options.minDurationMs)}`);
  }
  const limit = Math.min(MAX_TRACE_SEARCH_LIMIT, Math.max(1, Math.floor(options.limit)));
  return {
    schemaVersion: 'v1',
    start: Math.floor(options.sinceMs),
    end: Math.floor(nowMs),
    requestType: 'raw',
    compositeQuery: {
      queries: [
        {
          type: 'builder_query',
          spec: {
            name: 'A',
            signal: 'traces',
            filter: { expression: filters.join(' AND ') },
            selectFields: [
              { name: 'service.name', fieldContext: 'resource' },
              { name: 'name', fieldContext: 'span' },
              { name: 'duration_nano', fieldContext: 'span' },
              { name: 'has_error', fieldContext: 'span' },
            ],
            order: [{ key: { name: 'timestamp' }, direction: 'desc' }],
            limit,
          },
        },
      ],
    },
  };
}

/** A single-quoted string in SigNoz's filter grammar. */
function filterString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Raw rows → one summary per trace (the newest span of each trace; rows come
 * newest first). Column names are accepted in both of SigNoz's spellings
 * (`trace_id`/`traceID`, `duration_nano`/`durationNano`, …); duration is
 * nanoseconds and converted by name.
 */
export function parseTraceSearchBody(body: unknown, service: string): TraceSummary[] {
  const results = rawResults(body);
  const seen = new Set<string>();
  const traces: TraceSummary[] = [];
  for (const result of results) {
    const rows = isRecord(result) ? result['rows'] : undefined;
    if (rows === null || rows === undefined) continue;
    if (!Array.isArray(rows)) throw new SignozBodyError('results[].rows is not an array');
    for (const row of rows as unknown[]) {
      const trace = toSummary(row, service);
      if (trace === undefined || seen.has(trace.trace_id)) continue;
      seen.add(trace.trace_id);
      traces.push(trace);
    }
  }
  return traces;
}

function rawResults(body: unknown): unknown[] {
  if (!isRecord(body) || body['status'] !== 'success') {
    throw new SignozBodyError('expected {"status": "success", "data": {...}}');
  }
  const outer = body['data'];
  if (!isRecord(outer)) throw new SignozBodyError('data is not an object');
  if (outer['type'] !== undefined && outer['type'] !== 'raw') {
    throw new SignozBodyError(`data.type is ${JSON.stringify(outer['type'])}, not "raw"`);
  }
  const inner = outer['data'];
  if (!isRecord(inner)) throw new SignozBodyError('data.data is not an object');
  const results = inner['results'];
  if (results === null || results === undefined) return [];
  if (!Array.isArray(results)) throw new SignozBodyError('data.data.results is not an array');
  return results;
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

function pick(record: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (record[name] !== undefined) return record[name];
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** Row timestamps are RFC 3339 strings; tolerate epoch ns/ms numbers too. */
function toIso(value: unknown): string | undefined {
  let date: Date | undefined;
  if (typeof value === 'string') date = new Date(value);
  else if (typeof value === 'number') date = new Date(value > 1e15 ? value / 1e6 : value);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
