import { type Logger } from '@nestjs/common';
import { type KvSchema, type TypedKv } from '@opscrew/messaging';
import { LearningSnapshotStore } from './learning-snapshot.store';

/** One measured window as the relative rule's reference needs it (null: not measured). */
export interface RecentWindow {
  readonly error_rate_ratio: number | null;
  readonly latency_p99_ms: number | null;
}

/**
 * What the detection engine remembers of a service beyond drift (DetectionEngine.usualLevels):
 * its last measured windows (the relative rule's reference) and its usual p99 and error rate
 * (blaming an elevated dependency). Oldest first, as the engine keeps them.
 */
export interface UsualLevels {
  readonly service: string;
  readonly recent: readonly RecentWindow[];
  readonly usual_latency_ms: readonly number[];
  readonly usual_error_ratio: readonly number[];
}

/** A service's usual levels as saved: when the leader took them. */
export interface UsualSnapshot extends UsualLevels {
  /** ISO-8601 time the leader saved it. */
  readonly saved_at: string;
}

/** ops-monitor's usual-level keys in the `learning` bucket (its `own-keys`), one per service. */
export const USUAL_KEY_PREFIX = 'ops-monitor.usual.';

export function usualKey(service: string): string {
  return `${USUAL_KEY_PREFIX}${service}`;
}

/** A stored value as a reason names it (JSON, or `undefined` for a missing field). */
function shown(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A list of finite numbers at least 0 (and at most `max`), or why not. */
function levels(raw: unknown, field: string, max: number): Checked<number[]> {
  if (!Array.isArray(raw)) return { ok: false, reason: `${field} must be an array` };
  const bad = raw.findIndex(
    (value) => typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max,
  );
  if (bad >= 0) {
    return {
      ok: false,
      reason: `${field}[${bad}] is ${shown(raw[bad])}, not a number in 0..${max}`,
    };
  }
  return { ok: true, value: raw as number[] };
}

/** A measured value or null (not measured), or why not. */
function measured(raw: unknown, field: string, max: number): Checked<number | null> {
  if (raw === null) return { ok: true, value: null };
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > max) {
    return {
      ok: false,
      reason: `${field} is ${shown(raw)}, not null or a number in 0..${max}`,
    };
  }
  return { ok: true, value: raw };
}

function recentWindows(raw: unknown): Checked<RecentWindow[]> {
  if (!Array.isArray(raw)) return { ok: false, reason: 'recent must be an array' };
  const windows: RecentWindow[] = [];
  for (const [i, window] of raw.entries()) {
    if (typeof window !== 'object' || window === null) {
      return { ok: false, reason: `recent[${i}] is not an object` };
    }
    const entry = window as Record<string, unknown>;
    const errors = measured(entry.error_rate_ratio, `recent[${i}].error_rate_ratio`, 1);
    if (!errors.ok) return errors;
    const latency = measured(entry.latency_p99_ms, `recent[${i}].latency_p99_ms`, Number.MAX_VALUE);
    if (!latency.ok) return latency;
    windows.push({ error_rate_ratio: errors.value, latency_p99_ms: latency.value });
  }
  return { ok: true, value: windows };
}

/**
 * Checks a stored snapshot (untrusted: another version, a hand edit) and says what is wrong;
 * only the fields the engine uses are kept.
 */
export const usualSnapshotSchema = {
  validate: (raw: unknown): Checked<UsualSnapshot> => {
    const refuse = (reason: string) => ({ ok: false, reason: `usual levels: ${reason}` }) as const;
    if (typeof raw !== 'object' || raw === null) return refuse('not an object');
    const value = raw as Record<string, unknown>;
    const { service, saved_at } = value;
    if (typeof service !== 'string' || service === '') {
      return refuse('service must be a non-empty string');
    }
    if (typeof saved_at !== 'string' || !Number.isFinite(Date.parse(saved_at))) {
      return refuse('saved_at must be an ISO-8601 time');
    }
    const recent = recentWindows(value.recent);
    if (!recent.ok) return refuse(recent.reason);
    const latency = levels(value.usual_latency_ms, 'usual_latency_ms', Number.MAX_VALUE);
    if (!latency.ok) return refuse(latency.reason);
    const errors = levels(value.usual_error_ratio, 'usual_error_ratio', 1);
    if (!errors.ok) return refuse(errors.reason);
    return {
      ok: true,
      value: {
        service,
        saved_at,
        recent: recent.value,
        usual_latency_ms: latency.value,
        usual_error_ratio: errors.value,
      },
    } as const;
  },
} satisfies KvSchema<UsualSnapshot>;

/**
 * Where the leader keeps every service's usual levels and relative reference, and where a new
 * leader finds them (LearningSnapshotStore: nothing fatal, every refusal logged with its key).
 */
export class UsualLevelsStore extends LearningSnapshotStore<UsualSnapshot> {
  constructor(
    kv: TypedKv<UsualSnapshot>,
    listKeys: () => Promise<string[]>,
    logger: Pick<Logger, 'warn' | 'log'>,
  ) {
    super(kv, listKeys, logger, {
      prefix: USUAL_KEY_PREFIX,
      keyOf: (snapshot) => usualKey(snapshot.service),
      what: 'usual levels',
      tooLargeHint: 'a smaller detection.culprit.baseline_windows keeps it under',
    });
  }
}
