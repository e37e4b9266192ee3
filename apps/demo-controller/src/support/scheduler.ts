/** A pending callback that can be called off. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as a port (clock + one-shot timers), so lock renewal, scenario
 * durations and score windows are tested with a fake clock.
 */
export interface Scheduler {
  now(): number;
  after(ms: number, callback: () => void): Timer;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    // Never the reason a process stays up: shutdown cancels what matters explicitly.
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(scheduler: Scheduler, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = scheduler.after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
