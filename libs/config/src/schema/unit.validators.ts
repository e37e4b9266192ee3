import { valueRule } from '@opscrew/contracts';
import { compose, type FieldOptions } from './field.rule';

/**
 * Numbers with their unit in the field name (`_ms`, `_s`, `_minutes`, `_ratio`, `_percent`,
 * `_rps`): each message says what is wrong and, for a value in the wrong unit, what was
 * probably meant.
 */

type Decorator = PropertyDecorator;

const MINUTE_MS = 60_000;

function finiteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A finite number passing `check`; its message may word the value it refused. */
function numberRule(
  name: string,
  check: (value: number) => boolean,
  message: (value: unknown) => string,
): PropertyDecorator {
  return valueRule(name, (value) => finiteNumber(value) && check(value), message);
}

/** A whole number within bounds: counts, retries, ports, steps. */
export function Int(options?: FieldOptions & { min?: number; max?: number }): Decorator {
  const min = options?.min ?? 0;
  const max = options?.max ?? Number.MAX_SAFE_INTEGER;
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
  return compose(
    options,
    numberRule(
      'int',
      (v) => Number.isInteger(v) && v >= min && v <= max,
      () => `must be an integer ${range}`,
    ),
  );
}

/** A plain positive number without a unit (factors, multipliers, MAD counts). */
export function Factor(options?: FieldOptions & { min?: number }): Decorator {
  const min = options?.min ?? 0;
  return compose(
    options,
    numberRule(
      'factor',
      (v) => v > min,
      () => `must be a number greater than ${min}`,
    ),
  );
}

/**
 * Milliseconds. `latency` thresholds are capped at two minutes: the seed once
 * took 600,000 (µs read as ms) for a baseline, and no HTTP p99 threshold is that high.
 */
export function Ms(
  options?: FieldOptions & { latency?: boolean; allowZero?: boolean; max?: number },
): Decorator {
  const max = options?.max ?? (options?.latency ? 2 * MINUTE_MS : 60 * MINUTE_MS);
  const allowZero = options?.allowZero ?? false;
  return compose(
    options,
    numberRule(
      'milliseconds',
      (v) => (allowZero ? v >= 0 : v > 0) && v <= max,
      (value) => {
        if (finiteNumber(value) && value > max) {
          const hint = options?.latency
            ? ' (is this value in µs or ns? convert it to milliseconds)'
            : '';
          return `must be at most ${max} ms, got ${value} ms = ${formatDuration(value)}${hint}`;
        }
        return allowZero
          ? 'must be a number of milliseconds ≥ 0'
          : 'must be a positive number (milliseconds)';
      },
    ),
  );
}

export function Seconds(options?: FieldOptions & { allowZero?: boolean; max?: number }): Decorator {
  const max = options?.max ?? 7 * 24 * 3600;
  const allowZero = options?.allowZero ?? false;
  return compose(
    options,
    numberRule(
      'seconds',
      (v) => (allowZero ? v >= 0 : v > 0) && v <= max,
      (value) =>
        finiteNumber(value) && value > max
          ? `must be at most ${max} s, got ${value} s (is this in milliseconds?)`
          : allowZero
            ? 'must be a number of seconds ≥ 0'
            : 'must be a positive number (seconds)',
    ),
  );
}

export function Minutes(options?: FieldOptions): Decorator {
  return compose(
    options,
    numberRule(
      'minutes',
      (v) => v > 0 && v <= 7 * 24 * 60,
      () => 'must be a positive number of minutes (at most one week)',
    ),
  );
}

/** A fraction 0..1: error rates, availability, quality targets. 5 % is written 0.05. */
export function Ratio(options?: FieldOptions & { allowZero?: boolean }): Decorator {
  const allowZero = options?.allowZero ?? true;
  return compose(
    options,
    numberRule(
      'ratio',
      (v) => (allowZero ? v >= 0 : v > 0) && v <= 1,
      (value) =>
        finiteNumber(value) && value > 1 && value <= 100
          ? `must be a ratio between 0 and 1, got ${value} (a percentage? write ${value / 100})`
          : 'must be a ratio between 0 and 1',
    ),
  );
}

export function Percent(options?: FieldOptions): Decorator {
  return compose(
    options,
    numberRule(
      'percent',
      (v) => v >= 0 && v <= 100,
      (value) =>
        finiteNumber(value) && value > 100
          ? `must be a percentage between 0 and 100, got ${value}`
          : 'must be a percentage between 0 and 100',
    ),
  );
}

/** Requests per second. */
export function Rps(options?: FieldOptions): Decorator {
  return compose(
    options,
    numberRule(
      'rps',
      (v) => v >= 0,
      () => 'must be a rate in requests per second ≥ 0',
    ),
  );
}

function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= MINUTE_MS) return `${(ms / MINUTE_MS).toFixed(1)} min`;
  return `${(ms / 1000).toFixed(1)} s`;
}
