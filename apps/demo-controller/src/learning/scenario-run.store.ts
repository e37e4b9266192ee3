import {
  SCENARIO_RUN_KEY_PREFIX,
  scenarioRunKey,
  type ScenarioRunRecord,
} from '@opscrew/contracts';
import {
  KvCorruptValueError,
  type KvDecision,
  type KvRevisioned,
  type TypedKv,
} from '@opscrew/messaging';
import { coversTime } from './run-observations';

/**
 * Lookups answer from a view at most this old; older, it is read again first. Short: it bounds
 * how long a replica can act on another's stale copy of a run (a window that closed meanwhile).
 * A lookup that misses reads again at once, so a run another replica just started is found.
 */
export const RUN_VIEW_MAX_AGE_MS = 2_000;

/** `add` of a run id the bucket already holds: two runs must never share one record. */
export class DuplicateScenarioRunError extends Error {
  constructor(readonly runId: string) {
    super(`scenario run ${runId} already exists in the learning bucket`);
    this.name = 'DuplicateScenarioRunError';
  }
}

/**
 * The runs whose window is still open (not scored yet), shared by every demo-controller replica
 * through the `learning` bucket. One replica runs a scenario, but bus observations reach
 * whichever replica the shared consumers hand them to, so:
 *  - every write is a compare-and-swap (`TypedKv.mutate`) that applies the change to the stored
 *    record — the freshest — so two replicas recording into one run lose nothing; memory then
 *    holds what was written;
 *  - lookups read a view of the open runs refreshed from the bucket when it misses and when it is
 *    older than RUN_VIEW_MAX_AGE_MS, so a replica sees runs another one started. A refresh
 *    re-reads the open runs only (one key listing + one read each): scored runs never reopen, so
 *    each is read once and remembered. (A KV watch would push changes sooner, but adds a watch
 *    lifecycle — resyncs, lost consumers — for a bucket written a few times a minute; a missed
 *    lookup re-reading is exact, and the age bound covers the rest.)
 *  - closing a run is one CAS from open to scored: of two replicas closing, one wins.
 * Writes of this process still go one at a time in call order (no needless lost rounds).
 */
export class ScenarioRunStore {
  private readonly open = new Map<string, KvRevisioned<ScenarioRunRecord>>();
  /** Keys of runs seen scored, deleted or corrupt: never read again by a refresh. */
  private readonly settled = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** When the view was last refreshed (ms of `now`); -Infinity: never. */
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;
  /** A refresh asked for while one ran: it must start after that one (it may miss a newer run). */
  private again: Promise<void> | null = null;

  constructor(
    private readonly kv: TypedKv<ScenarioRunRecord>,
    private readonly listKeys: () => Promise<string[]>,
    /** A monotonic clock in ms (the view's age is a cache's, not the runs' domain time). */
    private readonly now: () => number = () => performance.now(),
    private readonly maxAgeMs = RUN_VIEW_MAX_AGE_MS,
  ) {}

  /** Reads every unscored run from the bucket (at start). */
  async load(): Promise<ScenarioRunRecord[]> {
    await this.refresh();
    return this.sorted();
  }

  /** The open runs, oldest first, from a view at most RUN_VIEW_MAX_AGE_MS old. */
  async openRuns(): Promise<ScenarioRunRecord[]> {
    await this.freshEnough();
    return this.sorted();
  }

  /** The in-memory copy of an open run (this replica's last view of it). */
  get(runId: string): ScenarioRunRecord | undefined {
    return this.open.get(runId)?.value;
  }

  /** Creates the run's record; a run id already stored is a DuplicateScenarioRunError. */
  add(run: ScenarioRunRecord): Promise<void> {
    return this.serial(async () => {
      const key = scenarioRunKey(run.run_id);
      const revision = await this.kv.create(key, run);
      if (revision === null) throw new DuplicateScenarioRunError(run.run_id);
      this.take(key, { value: run, revision });
    });
  }

  /**
   * Applies `change` to the stored run (CAS; again on the winner's record after a lost race) and
   * writes it when it reports a change. Resolves with the run as stored after that, or null when
   * the run is not open (unknown, or scored already — by any replica).
   */
  update(
    runId: string,
    change: (run: ScenarioRunRecord) => boolean,
  ): Promise<ScenarioRunRecord | null> {
    return this.serial(async () => (await this.apply(runId, change)).run);
  }

  /**
   * Applies `change` to every open run it selects (the bus events' path). Selection is judged on
   * each stored record as the write finds it, not on this replica's copy: an incident another
   * replica added a moment ago is found.
   */
  async updateWhere(
    select: (run: ScenarioRunRecord) => boolean,
    change: (run: ScenarioRunRecord) => boolean,
  ): Promise<number> {
    await this.refresh();
    let changed = 0;
    for (const run of this.sorted()) {
      const outcome = await this.serial(() =>
        this.apply(run.run_id, (r) => select(r) && change(r)),
      );
      if (outcome.written) changed += 1;
    }
    return changed;
  }

  /**
   * The run an event at `atMs` belongs to: the latest-started open run whose window covers it.
   * A miss reads the bucket again: another replica may have started that run.
   */
  async runAt(atMs: number): Promise<ScenarioRunRecord | undefined> {
    const refreshed = await this.freshEnough();
    const seen = this.covering(atMs);
    if (seen || refreshed) return seen;
    await this.refresh();
    return this.covering(atMs);
  }

  /**
   * Marks the run scored by CAS and lets it go from memory. Resolves with the record as closed
   * (the freshest: what to score), or null when it was not open — another replica closed it
   * first, and this one must do nothing more.
   */
  close(runId: string): Promise<ScenarioRunRecord | null> {
    return this.serial(async () => {
      const key = scenarioRunKey(runId);
      const mutation = await this.kv.mutate<ScenarioRunRecord | null>(
        key,
        (current) => {
          if (current === null || current.value.scored) return { keep: null };
          const closed = { ...current.value, scored: true };
          return { put: closed, result: closed };
        },
        this.currentOption(runId),
      );
      this.forget(key, mutation.entry);
      return mutation.result;
    });
  }

  /**
   * Undoes this replica's `close` when scoring it then failed: the run is open again, to be
   * scored at the next start (as before scoring claimed the run first).
   */
  reopen(runId: string): Promise<void> {
    return this.serial(async () => {
      const key = scenarioRunKey(runId);
      const mutation = await this.kv.mutate<boolean>(key, (current) => {
        if (current === null || !current.value.scored) return { keep: false };
        return { put: { ...current.value, scored: false }, result: true };
      });
      if (mutation.entry === null) return;
      this.settled.delete(key);
      this.take(key, mutation.entry);
    });
  }

  private async apply(
    runId: string,
    change: (run: ScenarioRunRecord) => boolean,
  ): Promise<{ run: ScenarioRunRecord | null; written: boolean }> {
    const key = scenarioRunKey(runId);
    const mutation = await this.kv.mutate<ScenarioRunRecord | null>(
      key,
      (current): KvDecision<ScenarioRunRecord, ScenarioRunRecord | null> => {
        if (current === null || current.value.scored) return { keep: null };
        // A copy: `decide` may run again on the winner's record, the argument stays untouched.
        const next = structuredClone(current.value);
        return change(next) ? { put: next, result: next } : { keep: current.value };
      },
      // No guess from memory: a change judged on a stale copy may find nothing to do (an
      // incident not seen yet) and keep — and a keep is never checked against the bucket.
    );
    this.forget(key, mutation.entry);
    return { run: mutation.result, written: mutation.written };
  }

  /**
   * Memory after a write or a read of `key`: the entry if open, else the run is let go (not
   * settled: a run absent now may be one another replica is about to create).
   */
  private forget(key: string, entry: KvRevisioned<ScenarioRunRecord> | null): void {
    if (entry === null) {
      this.open.delete(key.slice(SCENARIO_RUN_KEY_PREFIX.length));
    } else {
      this.take(key, entry);
    }
  }

  /** Takes an entry unless memory already holds a newer revision (refresh and writes interleave). */
  private take(key: string, entry: KvRevisioned<ScenarioRunRecord>): void {
    const runId = key.slice(SCENARIO_RUN_KEY_PREFIX.length);
    const known = this.open.get(runId);
    if (known !== undefined && known.revision >= entry.revision) return;
    if (entry.value.scored) {
      this.settled.add(key);
      this.open.delete(runId);
    } else {
      this.open.set(runId, entry);
    }
  }

  /**
   * This replica's copy as the first round's guess where only a put can follow from an open run
   * (close): a stale one costs one lost round, never a wrong write.
   */
  private currentOption(runId: string): { current?: KvRevisioned<ScenarioRunRecord> } {
    const known = this.open.get(runId);
    return known === undefined ? {} : { current: known };
  }

  private covering(atMs: number): ScenarioRunRecord | undefined {
    let best: ScenarioRunRecord | undefined;
    for (const { value: run } of this.open.values()) {
      if (coversTime(run, atMs) && (!best || run.started_at > best.started_at)) best = run;
    }
    return best;
  }

  private sorted(): ScenarioRunRecord[] {
    return [...this.open.values()]
      .map((entry) => entry.value)
      .sort((a, b) => a.started_at.localeCompare(b.started_at));
  }

  /** Refreshes the view when it is too old; true when it did. */
  private async freshEnough(): Promise<boolean> {
    if (this.now() - this.refreshedAt < this.maxAgeMs) return false;
    await this.refresh();
    return true;
  }

  /**
   * Reads the open runs again. One at a time: a call while one runs waits for it and then for
   * one more (started after the call, so it sees what the call was made to see); calls meanwhile
   * share that one.
   */
  private refresh(): Promise<void> {
    if (this.refreshing === null) {
      this.refreshing = this.readOpen().finally(() => {
        this.refreshing = null;
      });
      return this.refreshing;
    }
    this.again ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.again = null;
        return this.refresh();
      });
    return this.again;
  }

  private async readOpen(): Promise<void> {
    const startedAt = this.now();
    for (const key of await this.listKeys()) {
      if (!key.startsWith(SCENARIO_RUN_KEY_PREFIX) || this.settled.has(key)) continue;
      let entry: KvRevisioned<ScenarioRunRecord> | null;
      try {
        entry = await this.kv.get(key);
      } catch (err: unknown) {
        // A corrupt record is no open run; it must not stop every other one being seen.
        if (!(err instanceof KvCorruptValueError)) throw err;
        entry = null;
      }
      // Listed but gone: a deleted run (pruned); run ids are never reused.
      if (entry === null) this.settled.add(key);
      this.forget(key, entry);
    }
    this.refreshedAt = startedAt;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
