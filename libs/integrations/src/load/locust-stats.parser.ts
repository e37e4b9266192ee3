import { LoadDriverError, type LoadState, type LoadStats } from './load-driver.port';

/**
 * `GET /stats/requests` of any Locust we may meet, as LoadStats:
 *
 * - 2.12 (Debian's python3-locust): top-level `total_rps`, `fail_ratio`,
 *   `current_response_time_percentile_50/95`, `user_count`, `state`; the
 *   `Aggregated` row has `median_response_time`, `ninety_ninth_response_time`.
 * - ~2.15: the two current percentiles as `current_response_time_percentile_1/2`
 *   (the charted ones, 50 and 95 by default).
 * - 2.2x: `current_response_time_percentiles: {"response_time_percentile_0.5": …}`,
 *   rows with `response_time_percentile_0.95/0.99`, and `current_rps`.
 *
 * Percentiles since the last reset (the Aggregated row) are preferred over the
 * rolling "current" window: a scenario's summary describes the whole run.
 * Times are milliseconds in every version.
 */
export function parseLocustStats(body: unknown): LoadStats {
  if (!isRecord(body) || !Array.isArray(body['stats']))
    throw new LoadDriverError(
      `locust: /stats/requests answered without a "stats" array (is this a Locust web UI?)`,
      'locust',
    );
  const rows = body['stats'].filter(isRecord);
  const total =
    rows.find((row) => row['name'] === 'Aggregated') ??
    (isRecord(body['stats_total']) ? body['stats_total'] : undefined) ??
    {};
  const current = isRecord(body['current_response_time_percentiles'])
    ? body['current_response_time_percentiles']
    : {};

  const requests = integer(total['num_requests']);
  const failures = integer(total['num_failures']);
  const rps = firstNumber(body['total_rps'], body['current_rps'], total['current_rps']);
  const failRatio = firstNumber(body['fail_ratio']) ?? (requests > 0 ? failures / requests : 0);
  const p50 = firstNumber(
    total['median_response_time'],
    total['response_time_percentile_0.5'],
    body['current_response_time_percentile_50'],
    current['response_time_percentile_0.5'],
    body['current_response_time_percentile_1'],
  );
  const p95 = firstNumber(
    total['response_time_percentile_0.95'],
    body['current_response_time_percentile_95'],
    current['response_time_percentile_0.95'],
    body['current_response_time_percentile_2'],
  );
  const p99 = firstNumber(
    total['ninety_ninth_response_time'],
    total['response_time_percentile_0.99'],
  );
  return {
    state: loadState(body['state']),
    users: integer(body['user_count']),
    rps: rps ?? 0,
    fail_ratio: Math.min(1, Math.max(0, failRatio)),
    p50_ms: p50 ?? 0,
    p95_ms: p95 ?? 0,
    ...(p99 !== undefined ? { p99_ms: p99 } : {}),
    requests,
    failures,
  };
}

function loadState(value: unknown): LoadState {
  switch (value) {
    case 'spawning':
    case 'running':
    case 'stopping':
    case 'stopped':
      return value;
    case 'cleanup':
      return 'stopping';
    default:
      // ready, missing (no runner yet), or a state a future Locust adds: nothing is running.
      return 'ready';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first finite, non-negative number (Locust sends null for a percentile with no samples). */
function firstNumber(...values: unknown[]): number | undefined {
  for (const value of values) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

function integer(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}
