import { availableParallelism, loadavg } from 'node:os';

/** Never stretch by more than this from load alone: a runaway box should still fail. */
const MAX_LOAD_FACTOR = 4;

/**
 * How much slower than a quiet machine this one runs: OPSCREW_TEST_TIME_FACTOR when set (a CI
 * runner known to be slow), else the 1-minute load average per core, at least 1, at most 4.
 * Read at each call, so a deadline computed late in a run sees the load of that moment.
 */
export function testTimeFactor(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['OPSCREW_TEST_TIME_FACTOR'];
  if (raw !== undefined && raw.trim() !== '') {
    const factor = Number(raw);
    if (!Number.isFinite(factor) || factor < 1) {
      throw new Error(`OPSCREW_TEST_TIME_FACTOR: ${JSON.stringify(raw)} must be a number >= 1`);
    }
    return factor;
  }
  const perCore = (loadavg()[0] ?? 0) / Math.max(1, availableParallelism());
  return Math.min(MAX_LOAD_FACTOR, Math.max(1, perCore));
}

/** A deadline for `ms` of work on a quiet machine, stretched by testTimeFactor(). */
export function scaledTimeout(ms: number, env: NodeJS.ProcessEnv = process.env): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new Error(`scaledTimeout: ${ms} ms must be a finite number > 0`);
  }
  return Math.ceil(ms * testTimeFactor(env));
}

/**
 * A Jest timeout (jest.setTimeout, or the last argument of it/beforeAll) for a test whose waits
 * add up to `ms` on a quiet machine. Twice today's factor (the load may rise between reading it
 * here and a wait reading it again), capped at the most load alone can stretch a wait, so the
 * test's own deadline fires first with its message, not Jest's bare "Exceeded timeout"; an
 * explicit OPSCREW_TEST_TIME_FACTOR is taken as is.
 */
export function jestTimeout(ms: number, env: NodeJS.ProcessEnv = process.env): number {
  const set = env['OPSCREW_TEST_TIME_FACTOR'];
  const factor =
    set !== undefined && set.trim() !== ''
      ? testTimeFactor(env)
      : Math.min(MAX_LOAD_FACTOR, 2 * testTimeFactor(env));
  return scaledTimeout(ms, { OPSCREW_TEST_TIME_FACTOR: String(factor) });
}

/** The quiet-machine time of work that grows with a fixture: `items` × `perItemMs` + `baseMs`. */
export function workMs(work: {
  readonly items: number;
  readonly perItemMs: number;
  readonly baseMs?: number;
}): number {
  const { items, perItemMs, baseMs = 0 } = work;
  if (!Number.isInteger(items) || items < 0) {
    throw new Error(`workMs: items ${items} must be an integer >= 0`);
  }
  return baseMs + items * perItemMs;
}

/**
 * A deadline that scales with the work: `items` × `perItemMs` (what one item takes on a quiet
 * machine) plus a fixed `baseMs` for setup, stretched by testTimeFactor(). For waits whose
 * work grows with a fixture (a payload list, a batch), so adding items never breaks the test.
 */
export function workDeadline(
  work: { readonly items: number; readonly perItemMs: number; readonly baseMs?: number },
  env: NodeJS.ProcessEnv = process.env,
): number {
  return scaledTimeout(workMs(work), env);
}
