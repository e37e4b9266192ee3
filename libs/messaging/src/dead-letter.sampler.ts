export interface DeadLetterSampling {
  /** Length of one sampling window per key. */
  readonly window_ms: number;
  /** Records stored per key and window; the rest of that window is counted only. */
  readonly stored_per_window: number;
}

/**
 * Five full records per consumer, subject and kind a minute: enough to diagnose (the first
 * bad messages and the variety among them), few enough that a flood of 10,000 identical bad
 * messages costs five records and one summary per consumer instead of 10,000 records.
 */
export const DEFAULT_DEAD_LETTER_SAMPLING: DeadLetterSampling = {
  window_ms: 60_000,
  stored_per_window: 5,
};

/** The messages of one key that were counted but not stored in a window that has ended. */
export interface SuppressedTally<S> {
  readonly key: string;
  readonly count: number;
  /** The last one of them, described by the summary record. */
  readonly last: S;
}

interface Window<S> {
  readonly started: number;
  stored: number;
  suppressed: number;
  last: S | undefined;
}

/**
 * Decides which dead letters are stored one by one and which are only counted: per key, the
 * first `stored_per_window` of each window are stored; later ones are tallied, and the tally
 * comes out of `due()` once the window has ended (the caller publishes one summary record for
 * it). Keys must come from a bounded set (kind + subject family), so memory stays bounded.
 */
export class DeadLetterSampler<S> {
  private readonly windows = new Map<string, Window<S>>();
  /** Tallies of windows that ended while a new message of the same key arrived. */
  private readonly ended: SuppressedTally<S>[] = [];

  constructor(
    private readonly options: DeadLetterSampling = DEFAULT_DEAD_LETTER_SAMPLING,
    private readonly now: () => number = Date.now,
  ) {}

  /** True: store this one. False: it was counted; a summary will stand for it. */
  admit(key: string, sample: S): boolean {
    const now = this.now();
    let window = this.windows.get(key);
    if (window !== undefined && now - window.started >= this.options.window_ms) {
      this.close(key, window);
      window = undefined;
    }
    if (window === undefined) {
      window = { started: now, stored: 0, suppressed: 0, last: undefined };
      this.windows.set(key, window);
    }
    if (window.stored < this.options.stored_per_window) {
      window.stored += 1;
      return true;
    }
    window.suppressed += 1;
    window.last = sample;
    return false;
  }

  /** Tallies of ended windows (every window with `all`, e.g. at shutdown), each returned once. */
  due(all = false): SuppressedTally<S>[] {
    const now = this.now();
    for (const [key, window] of this.windows) {
      if (all || now - window.started >= this.options.window_ms) this.close(key, window);
    }
    return this.ended.splice(0);
  }

  private close(key: string, window: Window<S>): void {
    this.windows.delete(key);
    if (window.suppressed > 0 && window.last !== undefined) {
      this.ended.push({ key, count: window.suppressed, last: window.last });
    }
  }
}
