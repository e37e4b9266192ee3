import { type Validated } from '@opscrew/contracts';
import { type EventCounts, NO_EVENTS } from './slo-math';
import {
  type BurnAlertPolicy,
  longestAlertWindowMs,
  type ServiceSlo,
  type SloKind,
} from './slo-policy';

/**
 * One service's SLI counts in time buckets, as stored in the `slo` bucket (one key a service):
 * fine buckets (1 min) for the alert windows, coarse ones (1 h, or longer for windows over 30
 * days) for the SLO window — so a value stays bounded (at most FINE_ROWS_MAX + COARSE_ROWS_MAX
 * rows) whatever the traffic. Rows are sparse: a bucket without data is not stored.
 *
 * A row is `[index, avail_good, avail_total, avail_observed_s, lat_good_s, lat_total_s,
 * lat_observed_s]`, its bucket starting at index × step (epoch ms). Availability counts
 * requests; latency counts seconds of time slices (see accountSample).
 */
export type BucketRow = [number, number, number, number, number, number, number];

export interface SloLedger {
  readonly v: 1;
  readonly service: string;
  /** End of the last sample accounted (epoch ms): the next one counts only what came after. */
  readonly last_at_ms: number | null;
  readonly fine_step_ms: number;
  readonly coarse_step_ms: number;
  readonly fine: readonly BucketRow[];
  readonly coarse: readonly BucketRow[];
}

export interface LedgerLayout {
  readonly fine_step_ms: number;
  readonly fine_horizon_ms: number;
  readonly coarse_step_ms: number;
  readonly coarse_horizon_ms: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The fine buckets reach back at least this far (the workbook's longest alert window). */
const MIN_FINE_HORIZON_MS = 6 * HOUR_MS;
/** 30 days of hours: a longer window gets longer coarse buckets, never more rows. */
export const COARSE_ROWS_MAX = 720;
export const FINE_ROWS_MAX = 24 * 60;

export function ledgerLayout(slo: ServiceSlo, alerts: readonly BurnAlertPolicy[]): LedgerLayout {
  const fineHorizon = Math.min(
    FINE_ROWS_MAX * MINUTE_MS,
    Math.max(MIN_FINE_HORIZON_MS, longestAlertWindowMs(alerts)),
  );
  const windowMs = slo.window_days * DAY_MS;
  const coarseHours = Math.max(1, Math.ceil(windowMs / HOUR_MS / COARSE_ROWS_MAX));
  return {
    fine_step_ms: MINUTE_MS,
    fine_horizon_ms: fineHorizon,
    coarse_step_ms: coarseHours * HOUR_MS,
    coarse_horizon_ms: windowMs,
  };
}

export function emptyLedger(service: string, layout: LedgerLayout): SloLedger {
  return {
    v: 1,
    service,
    last_at_ms: null,
    fine_step_ms: layout.fine_step_ms,
    coarse_step_ms: layout.coarse_step_ms,
    fine: [],
    coarse: [],
  };
}

/** One cycle's sample of one service, as the SLIs need it (the metrics port's ServiceSample). */
export interface SliSample {
  readonly at_ms: number;
  readonly window_s: number;
  readonly request_rate_rps: number;
  readonly error_rate_ratio: number | null;
  readonly latency_p99_ms: number | null;
}

/**
 * Adds one sample. It covers `window_s` up to `at_ms`, but only the part after the previous
 * sample counts (a source's rate window may overlap the last cycle's: counted twice, requests
 * would be). Availability: requests = rate × span, bad = error ratio × requests. Latency is a
 * time-slice SLI — the port gives a p99 per window, not a histogram, so which requests were
 * slow is unknown; the slice is good when its p99 is within the objective, and counts its span
 * in seconds. No traffic counts nothing (observed, but no event); an unmeasured metric counts
 * nothing and is not observed: unknown is not good.
 */
export function accountSample(
  ledger: SloLedger,
  sample: SliSample,
  latencyObjectiveMs: number,
): SloLedger {
  const start = sample.at_ms - sample.window_s * 1000;
  const from = ledger.last_at_ms === null ? start : Math.max(start, ledger.last_at_ms);
  const spanS = (sample.at_ms - from) / 1000;
  if (!(spanS > 0) || !Number.isFinite(spanS)) return ledger;
  const row: BucketRow = [0, 0, 0, 0, 0, 0, 0];
  const rate = sample.request_rate_rps;
  if (Number.isFinite(rate) && rate <= 0) {
    row[3] = spanS;
    row[6] = spanS;
  } else if (Number.isFinite(rate) && rate > 0) {
    const requests = rate * spanS;
    const errors = sample.error_rate_ratio;
    if (errors !== null && Number.isFinite(errors)) {
      const ratio = Math.min(1, Math.max(0, errors));
      row[1] = requests * (1 - ratio);
      row[2] = requests;
      row[3] = spanS;
    }
    const p99 = sample.latency_p99_ms;
    if (p99 !== null && Number.isFinite(p99)) {
      row[4] = p99 <= latencyObjectiveMs ? spanS : 0;
      row[5] = spanS;
      row[6] = spanS;
    }
  }
  // The whole span lands in the bucket of its end: one cycle (seconds) is far below a bucket.
  return {
    ...ledger,
    last_at_ms: sample.at_ms,
    fine: addRow(ledger.fine, Math.floor(sample.at_ms / ledger.fine_step_ms), row),
    coarse: addRow(ledger.coarse, Math.floor(sample.at_ms / ledger.coarse_step_ms), row),
  };
}

function addRow(rows: readonly BucketRow[], index: number, add: BucketRow): BucketRow[] {
  const out = rows.slice();
  // Rows are sorted by index and nearly always appended at the end: search from there.
  let position = out.length;
  while (position > 0 && (out[position - 1]?.[0] ?? -Infinity) > index) position--;
  const existing = out[position - 1];
  if (existing !== undefined && existing[0] === index) {
    out[position - 1] = existing.map((value, i) =>
      i === 0 ? index : round(value + (add[i] ?? 0)),
    ) as BucketRow;
  } else {
    out.splice(position, 0, add.map((value, i) => (i === 0 ? index : round(value))) as BucketRow);
  }
  return out;
}

/**
 * Six decimals: far below anything an SLO can show (a bad request in a million is 0.001 of a
 * three-nines budget's events), and short in JSON.
 */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Drops buckets that ended before their horizon: the value's size stays bounded. */
export function pruneLedger(ledger: SloLedger, layout: LedgerLayout, nowMs: number): SloLedger {
  const keep = (rows: readonly BucketRow[], step: number, horizon: number): BucketRow[] =>
    rows.filter((row) => (row[0] + 1) * step > nowMs - horizon);
  return {
    ...ledger,
    fine: keep(ledger.fine, ledger.fine_step_ms, layout.fine_horizon_ms),
    coarse: keep(ledger.coarse, ledger.coarse_step_ms, layout.coarse_horizon_ms),
  };
}

/**
 * The ledger in this layout: a stored one written under another config (a longer SLO window
 * means longer coarse buckets) has its rows summed into the new buckets.
 */
export function conformLedger(ledger: SloLedger, layout: LedgerLayout): SloLedger {
  const rebucket = (rows: readonly BucketRow[], from: number, to: number): BucketRow[] => {
    if (from === to) return rows.slice();
    let out: BucketRow[] = [];
    for (const row of rows) out = addRow(out, Math.floor((row[0] * from) / to), row);
    return out;
  };
  return {
    ...ledger,
    fine_step_ms: layout.fine_step_ms,
    coarse_step_ms: layout.coarse_step_ms,
    fine: rebucket(ledger.fine, ledger.fine_step_ms, layout.fine_step_ms),
    coarse: rebucket(ledger.coarse, ledger.coarse_step_ms, layout.coarse_step_ms),
  };
}

/**
 * Two views of one service's history (two replicas, or this process and what it restored):
 * both saw the same metrics, so a bucket is never summed — the more completely observed one is
 * kept. Idempotent and commutative up to ties: merging never counts a request twice.
 */
export function mergeLedgers(a: SloLedger, b: SloLedger): SloLedger {
  const pick = (x: readonly BucketRow[], y: readonly BucketRow[]): BucketRow[] => {
    const byIndex = new Map<number, BucketRow>();
    for (const row of [...x, ...y]) {
      const seen = byIndex.get(row[0]);
      if (!seen || observedOf(row) > observedOf(seen)) byIndex.set(row[0], row);
    }
    return [...byIndex.values()].sort((p, q) => p[0] - q[0]);
  };
  const lastAt =
    a.last_at_ms === null
      ? b.last_at_ms
      : b.last_at_ms === null
        ? a.last_at_ms
        : Math.max(a.last_at_ms, b.last_at_ms);
  return { ...a, last_at_ms: lastAt, fine: pick(a.fine, b.fine), coarse: pick(a.coarse, b.coarse) };
}

function observedOf(row: BucketRow): number {
  return row[3] + row[6];
}

/** The counts of one SLI over the window ending at `nowMs` (fine buckets when they reach). */
export function windowCounts(
  ledger: SloLedger,
  kind: SloKind,
  windowMs: number,
  nowMs: number,
  layout: LedgerLayout,
): EventCounts {
  const fine = windowMs <= layout.fine_horizon_ms;
  const rows = fine ? ledger.fine : ledger.coarse;
  const step = fine ? ledger.fine_step_ms : ledger.coarse_step_ms;
  const since = nowMs - windowMs;
  let good = 0;
  let total = 0;
  let observedS = 0;
  for (const row of rows) {
    const startMs = row[0] * step;
    if (startMs < since || startMs > nowMs) continue;
    if (kind === 'availability') {
      good += row[1];
      total += row[2];
      observedS += row[3];
    } else {
      good += row[4];
      total += row[5];
      observedS += row[6];
    }
  }
  return total === 0 && observedS === 0
    ? NO_EVENTS
    : { good, total, observed_ms: observedS * 1000 };
}

/** The KV schema of a ledger: strict, so a corrupt value is named, never half-read. */
export function validateSloLedger(raw: unknown): Validated<SloLedger> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, reason: 'must be an object' };
  const value = raw as Record<string, unknown>;
  const allowed = [
    'v',
    'service',
    'last_at_ms',
    'fine_step_ms',
    'coarse_step_ms',
    'fine',
    'coarse',
  ];
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) return { ok: false, reason: `unknown field(s): ${unknown.join(', ')}` };
  if (value.v !== 1) return { ok: false, reason: `v: must be 1, got ${String(value.v)}` };
  if (typeof value.service !== 'string' || value.service.length === 0)
    return { ok: false, reason: 'service: must be a non-empty string' };
  if (value.last_at_ms !== null && !isNonNegative(value.last_at_ms))
    return { ok: false, reason: 'last_at_ms: must be null or a time in epoch ms' };
  for (const field of ['fine_step_ms', 'coarse_step_ms'] as const) {
    if (!isNonNegative(value[field]) || value[field] === 0)
      return { ok: false, reason: `${field}: must be a positive number of ms` };
  }
  for (const field of ['fine', 'coarse'] as const) {
    const rows = value[field];
    if (!Array.isArray(rows)) return { ok: false, reason: `${field}: must be a list of rows` };
    for (const [position, row] of (rows as unknown[]).entries()) {
      if (!Array.isArray(row) || row.length !== 7 || !row.every(isNonNegative))
        return {
          ok: false,
          reason: `${field}[${position}]: must be 7 numbers ≥ 0 (index, counts, seconds)`,
        };
    }
  }
  return { ok: true, value: value as unknown as SloLedger };
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A service's key in the `slo` bucket. */
export function sloLedgerKey(service: string): string {
  return `service.${service}`;
}

/** The service a `slo` bucket key belongs to, or null for another kind of key. */
export function serviceOfSloLedgerKey(key: string): string | null {
  return key.startsWith('service.') ? key.slice('service.'.length) : null;
}
