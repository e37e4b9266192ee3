import { type BackoffOptions } from './backoff';
import { type KvContentionError } from './kv-errors';

/** An entry as `TypedKv.get` returns it. */
export interface KvRevisioned<T> {
  value: T;
  /** The entry's revision: pass it to `update`/`delete` for compare-and-swap. */
  revision: number;
}

/**
 * What a `TypedKv.mutate` decision asks for, given the entry it was shown:
 *  - `{ put, result }`: write `put` (create when the key is absent, else CAS on its revision);
 *  - `{ delete: true, result }`: delete the entry (CAS on its revision; nothing to do when absent);
 *  - `{ keep }`: write nothing, and answer `keep`.
 * `result` (or `keep`) is what `mutate` hands back once the decision stuck.
 */
export type KvDecision<T, R> =
  | { readonly put: T; readonly result: R }
  | { readonly delete: true; readonly result: R }
  | { readonly keep: R };

/**
 * Decides on the current entry (null: absent or deleted). Called once per attempt, and again
 * on what the winner wrote after a lost race, so it must be pure: no side effects (publishing,
 * allocating ids, logging what "happened"), no change to its argument — compute and return.
 * Do the side effects after `mutate` returned, from its result.
 */
export type KvDecide<T, R> = (current: KvRevisioned<T> | null) => KvDecision<T, R>;

/** What `mutate` did. */
export interface KvMutation<T, R> {
  /** The decision's `result` (or `keep`). */
  readonly result: R;
  /**
   * The entry as this call left it: the value written and its new revision (put), the entry
   * decided on (keep), null (deleted, or absent and kept absent).
   */
  readonly entry: KvRevisioned<T> | null;
  /** True when this call wrote (put, or delete of a live entry). */
  readonly written: boolean;
  /** Rounds it took: 1 when nobody raced it. */
  readonly attempts: number;
}

/**
 * The one retry policy of every read-decide-CAS write. Writers that contend on one key are a
 * handful (replicas, a CLI, a second consumer), so 20 rounds is far beyond what they need and
 * still bounded. Between rounds the loser steps aside a short jittered moment (≈1–2 ms, doubling,
 * at most 50 ms) so two losers do not tie again; the worst case waits under a second in all on a
 * quiet machine. When a round itself takes longer than that cap (a loaded machine), a random share
 * of the round's length is added, so the pauses keep spreading contenders (contentionPause).
 */
export const KV_MUTATE_MAX_ATTEMPTS = 20;
export const KV_MUTATE_BACKOFF: BackoffOptions = { initial_delay_ms: 2, max_delay_ms: 50 };

export interface KvMutateOptions<T> {
  /** Rounds before giving up (default KV_MUTATE_MAX_ATTEMPTS). */
  readonly max_attempts?: number;
  /** Pause between rounds (default KV_MUTATE_BACKOFF). */
  readonly backoff?: BackoffOptions;
  /**
   * An entry the caller just read or wrote (null: known absent): the first round decides on it
   * without a read. A stale one costs one lost round, never a wrong write (the write is a CAS).
   */
  readonly current?: KvRevisioned<T> | null;
  /**
   * What to throw when every round was lost, for a caller whose contract has its own error
   * (a tracker adapter's DeliveryError); it gets the KvContentionError to wrap as the cause.
   */
  readonly onContention?: (error: KvContentionError) => Error;
  /** [0, 1) source for the jitter; injectable for tests. */
  readonly random?: () => number;
  /** How a pause is waited; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A monotonic clock in ms, to time each round (see contentionPause); injectable for tests. */
  readonly now?: () => number;
}
