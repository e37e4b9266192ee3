/** A pending callback that can be called off. */
export interface ScheduledTimer {
  cancel(): void;
}

/**
 * Time as a port for the built-in driver: the clock and one-shot timers, so a
 * unit test drives spawning, think times and rps windows with a fake clock.
 */
export interface LoadScheduler {
  now(): number;
  after(ms: number, callback: () => void): ScheduledTimer;
}

export const systemLoadScheduler: LoadScheduler = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    // Load timers never keep a process alive on their own (a forgotten stop must not hang exit).
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
