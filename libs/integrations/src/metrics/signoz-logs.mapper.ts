import { isRecord } from './metrics-http';
import { type LogSummary } from './metrics-source.port';
import {
  checkSince,
  filterString,
  pick,
  rawRows,
  rawSearchRequest,
  toIso,
} from './signoz-query-range';

export interface LogSearchOptions {
  /** Epoch ms: the start of the searched range (the end is now). */
  readonly sinceMs: number;
  readonly limit: number;
  /** Severity texts to match; default ERROR and FATAL (what a ticket quotes first). */
  readonly severities?: readonly string[];
}

/** Lines one search returns: a ticket quotes a few, and the bound keeps the answer small. */
export const MAX_LOG_SEARCH_LIMIT = 200;
/** A log body is quoted up to this many characters: a stack trace's head says enough. */
const MAX_LOG_BODY_CHARS = 500;
const DEFAULT_SEVERITIES = ['ERROR', 'FATAL'] as const;

/**
 * The `/api/v5/query_range` body for a raw log search: the logs signal,
 * filtered by service and severity, newest first.
 */
export function buildLogSearchRequest(
  service: string,
  options: LogSearchOptions,
  nowMs: number,
): Record<string, unknown> {
  checkSince('searchLogs', options.sinceMs, nowMs);
  const severities = options.severities ?? DEFAULT_SEVERITIES;
  if (severities.length === 0) throw new Error('searchLogs: severities must not be empty');
  return rawSearchRequest(
    {
      signal: 'logs',
      filter:
        `service.name = ${filterString(service)} AND ` +
        `severity_text IN (${severities.map(filterString).join(', ')})`,
      selectFields: [
        { name: 'body', fieldContext: 'log' },
        { name: 'severity_text', fieldContext: 'log' },
        { name: 'service.name', fieldContext: 'resource' },
      ],
      order: [
        { key: { name: 'timestamp', fieldContext: 'log' }, direction: 'desc' },
        { key: { name: 'id' }, direction: 'desc' },
      ],
      limit: Math.min(MAX_LOG_SEARCH_LIMIT, Math.max(1, Math.floor(options.limit))),
    },
    options.sinceMs,
    nowMs,
  );
}

/** Raw rows → log lines, newest first; the body is text from the watched system (data). */
export function parseLogSearchBody(body: unknown, service: string): LogSummary[] {
  const lines: LogSummary[] = [];
  for (const row of rawRows(body)) {
    if (!isRecord(row) || !isRecord(row['data'])) continue;
    const data = row['data'];
    const at = toIso(row['timestamp'] ?? pick(data, 'timestamp'));
    const text = pick(data, 'body');
    if (at === undefined || typeof text !== 'string') continue;
    const severity = pick(data, 'severity_text', 'severityText');
    const rowService = pick(data, 'service.name', 'serviceName');
    lines.push({
      at,
      service: typeof rowService === 'string' && rowService !== '' ? rowService : service,
      severity: typeof severity === 'string' ? severity : '',
      body: text.slice(0, MAX_LOG_BODY_CHARS),
    });
  }
  return lines;
}
