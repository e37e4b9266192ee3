import { type LoadScheduler, type ScheduledTimer } from '../load/load.scheduler';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A fake clock and timers for every scheduler port (the load driver's,
 * demo-controller's, a LeaseService clock): time moves only when the test
 * advances it.
 */
export class ManualScheduler implements LoadScheduler {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.parse('2025-01-31T12:00:00.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): ScheduledTimer {
    const entry: Pending = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.pending.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  /** Timers still waiting. */
  get waiting(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Moves time forward, firing due timers in order and letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    for (;;) {
      await settle();
      const next = this.pending
        .filter((p) => !p.cancelled && p.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = until;
    await settle();
  }
}

/** Lets queued promise continuations run (setImmediate comes after the microtask queue). */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
