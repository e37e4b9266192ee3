/** One message's handling, as the scheduler sees it. */
export interface ScheduledJob {
  /** Handles the message and settles it (ack/nak/term); never rejects. */
  run(): Promise<void>;
  /** Hands the message back unhandled (shutdown before it started). */
  cancel(): void;
}

/**
 * Runs a consumer's handlers with bounded concurrency and per-key order: at most `concurrency`
 * jobs at once; jobs with the same key one after another in submission (stream) order; jobs
 * without a key in any order. Submitting never waits: the consumer loop keeps reading (and
 * dead-lettering bad messages) whatever the handlers are doing; the server's max_ack_pending
 * bounds what can pile up here.
 *
 * Hand-rolled (~50 lines) because the usual libraries do one half each: p-limit bounds
 * concurrency without keys, a per-key promise chain orders without a bound, and the maintained
 * ones are ESM-only while this repo builds CommonJS.
 */
export class HandlerScheduler {
  private running = 0;
  private pending = 0;
  /** Jobs free to start, oldest first. */
  private readonly ready: Array<{ key: string | undefined; job: ScheduledJob }> = [];
  /** Per busy key: the jobs waiting behind the one that is ready or running. */
  private readonly behind = new Map<string, ScheduledJob[]>();
  private idleWaiters: Array<() => void> = [];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(
        `HandlerScheduler: concurrency must be a whole number ≥ 1, got ${concurrency}`,
      );
    }
  }

  /** Jobs submitted and not finished (running, ready or waiting on their key). */
  get size(): number {
    return this.pending;
  }

  get active(): number {
    return this.running;
  }

  submit(key: string | undefined, job: ScheduledJob): void {
    this.pending += 1;
    if (key !== undefined) {
      const queue = this.behind.get(key);
      if (queue !== undefined) {
        queue.push(job);
        return;
      }
      this.behind.set(key, []);
    }
    this.ready.push({ key, job });
    this.pump();
  }

  /** Cancels every job that has not started (each gets `cancel()`); running ones finish. */
  cancelPending(): void {
    const waiting: ScheduledJob[] = [];
    for (const { key, job } of this.ready.splice(0)) {
      waiting.push(job, ...(key === undefined ? [] : (this.behind.get(key) ?? [])));
      // Nothing of this key runs any more: the key is free.
      if (key !== undefined) this.behind.delete(key);
    }
    // The remaining keys belong to running jobs: they stay busy until those finish.
    for (const queue of this.behind.values()) waiting.push(...queue.splice(0));
    this.pending -= waiting.length;
    for (const job of waiting) job.cancel();
    this.notifyIdle();
  }

  /** Settles when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const next = this.ready.shift();
      if (next === undefined) return;
      this.running += 1;
      void next.job.run().finally(() => this.finished(next.key));
    }
  }

  private finished(key: string | undefined): void {
    this.running -= 1;
    this.pending -= 1;
    if (key !== undefined) {
      const queue = this.behind.get(key);
      const following = queue?.shift();
      if (following !== undefined) {
        this.ready.push({ key, job: following });
      } else {
        this.behind.delete(key);
      }
    }
    this.pump();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.pending !== 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
