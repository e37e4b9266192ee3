import {
  SCENARIO_RUN_KEY_PREFIX,
  scenarioRunKey,
  type ScenarioRunRecord,
} from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';
import { coversTime } from './run-observations';

/**
 * The runs whose window is still open (not scored yet), in memory and written
 * through to the `learning` bucket on every change, so a restarted
 * demo-controller picks them up again. Changes are applied one at a time in
 * call order: the three bus consumers and the runner never overwrite each other.
 */
export class ScenarioRunStore {
  private readonly open = new Map<string, ScenarioRunRecord>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kv: TypedKv<ScenarioRunRecord>,
    private readonly listKeys: () => Promise<string[]>,
  ) {}

  /** Reads every unscored run from the bucket (at start). */
  async load(): Promise<ScenarioRunRecord[]> {
    for (const key of await this.listKeys()) {
      if (!key.startsWith(SCENARIO_RUN_KEY_PREFIX)) continue;
      const entry = await this.kv.get(key);
      if (entry && !entry.value.scored) this.open.set(entry.value.run_id, entry.value);
    }
    return this.openRuns();
  }

  openRuns(): ScenarioRunRecord[] {
    return [...this.open.values()].sort((a, b) => a.started_at.localeCompare(b.started_at));
  }

  get(runId: string): ScenarioRunRecord | undefined {
    return this.open.get(runId);
  }

  add(run: ScenarioRunRecord): Promise<void> {
    return this.serial(async () => {
      this.open.set(run.run_id, run);
      await this.kv.put(scenarioRunKey(run.run_id), run);
    });
  }

  /**
   * Applies `change` to one open run and writes it when it reports a change.
   * Resolves with the run (after the write), or null when it is not open.
   */
  update(
    runId: string,
    change: (run: ScenarioRunRecord) => boolean,
  ): Promise<ScenarioRunRecord | null> {
    return this.serial(async () => {
      const run = this.open.get(runId);
      if (!run) return null;
      if (change(run)) await this.kv.put(scenarioRunKey(run.run_id), run);
      return run;
    });
  }

  /** Applies `change` to every open run it selects (the bus events' path). */
  async updateWhere(
    select: (run: ScenarioRunRecord) => boolean,
    change: (run: ScenarioRunRecord) => boolean,
  ): Promise<number> {
    let changed = 0;
    for (const run of this.openRuns().filter(select)) {
      await this.update(run.run_id, (r) => {
        const did = change(r);
        if (did) changed += 1;
        return did;
      });
    }
    return changed;
  }

  /** The run an event at `atMs` belongs to: the latest-started open run whose window covers it. */
  runAt(atMs: number): ScenarioRunRecord | undefined {
    let best: ScenarioRunRecord | undefined;
    for (const run of this.open.values()) {
      if (coversTime(run, atMs) && (!best || run.started_at > best.started_at)) best = run;
    }
    return best;
  }

  /** Marks the run scored, writes it and lets it go from memory. */
  close(runId: string): Promise<void> {
    return this.serial(async () => {
      const run = this.open.get(runId);
      if (!run) return;
      run.scored = true;
      await this.kv.put(scenarioRunKey(run.run_id), run);
      this.open.delete(runId);
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
