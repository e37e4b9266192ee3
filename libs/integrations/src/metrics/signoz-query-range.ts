import { isRecord } from './metrics-http';
import { SignozBodyError } from './signoz-services.mapper';

/**
 * What the trace and log searches share on SigNoz's `/api/v5/query_range`:
 * the time range check, the filter grammar's string quoting, and reading a
 * `raw` answer's rows.
 */

/** Earliest plausible `sinceMs` (2001-09-09): anything smaller is a duration passed where a timestamp belongs. */
const MIN_EPOCH_MS = 1_000_000_000_000;

export function checkSince(what: string, sinceMs: number, nowMs: number): void {
  if (!Number.isFinite(sinceMs) || sinceMs < MIN_EPOCH_MS) {
    throw new Error(`${what}: sinceMs must be an epoch timestamp in ms, got ${sinceMs}`);
  }
  if (sinceMs >= nowMs) {
    throw new Error(`${what}: sinceMs ${new Date(sinceMs).toISOString()} is not in the past`);
  }
}

/** The parts of a raw builder query that differ between a trace and a log search. */
export interface RawSearchSpec {
  readonly signal: 'traces' | 'logs';
  readonly filter: string;
  readonly selectFields: readonly Record<string, string>[];
  readonly order: readonly Record<string, unknown>[];
  readonly limit: number;
}

/**
 * A `/api/v5/query_range` body for one raw builder query (the shape of the
 * spec's `traces_raw` / `logs_raw` examples) over [sinceMs, nowMs], in epoch ms.
 */
export function rawSearchRequest(
  spec: RawSearchSpec,
  sinceMs: number,
  nowMs: number,
): Record<string, unknown> {
  return {
    schemaVersion: 'v1',
    start: Math.floor(sinceMs),
    end: Math.floor(nowMs),
    requestType: 'raw',
    compositeQuery: {
      queries: [
        {
          type: 'builder_query',
          spec: {
            name: 'A',
            signal: spec.signal,
            filter: { expression: spec.filter },
            selectFields: spec.selectFields,
            order: spec.order,
            limit: spec.limit,
          },
        },
      ],
    },
  };
}

/** A single-quoted string in SigNoz's filter grammar. */
export function filterString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The results of a `raw` answer (`{status: "success", data: {type: "raw", data: {results}}}`). */
export function rawResults(body: unknown): unknown[] {
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

/** Every row of every result of a `raw` answer, in SigNoz's order. */
export function rawRows(body: unknown): unknown[] {
  const rows: unknown[] = [];
  for (const result of rawResults(body)) {
    const resultRows = isRecord(result) ? result['rows'] : undefined;
    if (resultRows === null || resultRows === undefined) continue;
    if (!Array.isArray(resultRows)) throw new SignozBodyError('results[].rows is not an array');
    rows.push(...(resultRows as unknown[]));
  }
  return rows;
}

export function pick(record: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (record[name] !== undefined) return record[name];
  return undefined;
}

export function toNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** Row timestamps are RFC 3339 strings; tolerate epoch ns/ms numbers too. */
export function toIso(value: unknown): string | undefined {
  let date: Date | undefined;
  if (typeof value === 'string') date = new Date(value);
  else if (typeof value === 'number') date = new Date(value > 1e15 ? value / 1e6 : value);
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
