/**
 * The load port: deliberate traffic against the shop, driven either by Locust
 * (its web API) or by the built-in driver (same task mix, in Node). Every
 * driver answers the same `LoadStats`, with units in every name.
 */

/** Locust's runner states, reduced to what a caller acts on (`cleanup` → stopping, `missing` → ready). */
export const LOAD_STATES = ['ready', 'spawning', 'running', 'stopping', 'stopped'] as const;
export type LoadState = (typeof LOAD_STATES)[number];

export const LOAD_DRIVER_KINDS = ['locust', 'builtin'] as const;
export type LoadDriverKind = (typeof LOAD_DRIVER_KINDS)[number];

export interface LoadStartOptions {
  /** Concurrent virtual users once spawning is done. */
  readonly users: number;
  /** Users started per second until `users` run. */
  readonly spawn_rate: number;
  /** Base URL the users call, e.g. `http://127.0.0.1:7100`. */
  readonly host: string;
  /** Safety net: the driver stops by itself after this long, even if its caller died. */
  readonly run_time_s?: number;
}

export interface LoadStats {
  readonly state: LoadState;
  /** Users running now. */
  readonly users: number;
  /** Requests per second, current (Locust: its rolling window). */
  readonly rps: number;
  /** Failed requests / all requests since the last reset (0–1). */
  readonly fail_ratio: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  /** Absent when the driver cannot tell (an old Locust without a 99th percentile). */
  readonly p99_ms?: number;
  /** Since the last reset. */
  readonly requests: number;
  readonly failures: number;
}

export interface LoadDriver {
  readonly kind: LoadDriverKind;
  /** Starts (or re-targets) the swarm; resolves once the driver accepted it. */
  start(options: LoadStartOptions): Promise<void>;
  stop(): Promise<void>;
  stats(): Promise<LoadStats>;
  /** Zeroes the counters and percentiles (a scenario measures only itself). */
  reset(): Promise<void>;
  /** Stops everything this driver started (a Locust it launched, open sockets). */
  close(): Promise<void>;
}

/** The LoadDriver the config chooses (Nest injection token). */
export const LOAD_DRIVER = Symbol('LOAD_DRIVER');

/** A load driver could not do what was asked: names the driver, the URL or option, and why. */
export class LoadDriverError extends Error {
  override readonly name = 'LoadDriverError';

  constructor(
    message: string,
    readonly driver: LoadDriverKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Bounds of a start request. 100,000 users is the scenario schema's own cap; a
 * spawn rate above 10,000/s is a typo (the seed's spike is 100/s); a day-long
 * run is far past any scenario (the lock policy caps load at 30 min).
 */
const MAX_USERS = 100_000;
const MAX_SPAWN_RATE = 10_000;
const MAX_RUN_TIME_S = 24 * 3600;

/** Throws a LoadDriverError naming the first bad option. */
export function checkStartOptions(options: LoadStartOptions, driver: LoadDriverKind): void {
  const { users, spawn_rate, host, run_time_s } = options;
  if (!Number.isSafeInteger(users) || users < 1 || users > MAX_USERS)
    throw new LoadDriverError(
      `${driver}: users must be an integer between 1 and ${MAX_USERS}, got ${users}`,
      driver,
    );
  if (!Number.isFinite(spawn_rate) || spawn_rate <= 0 || spawn_rate > MAX_SPAWN_RATE)
    throw new LoadDriverError(
      `${driver}: spawn_rate must be a number of users per second in (0, ${MAX_SPAWN_RATE}], got ${spawn_rate}`,
      driver,
    );
  if (
    run_time_s !== undefined &&
    (!Number.isFinite(run_time_s) || run_time_s <= 0 || run_time_s > MAX_RUN_TIME_S)
  )
    throw new LoadDriverError(
      `${driver}: run_time_s must be a number of seconds in (0, ${MAX_RUN_TIME_S}], got ${run_time_s}`,
      driver,
    );
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new LoadDriverError(`${driver}: host must be an absolute URL, got "${host}"`, driver);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new LoadDriverError(`${driver}: host must be http(s), got "${host}"`, driver);
}
