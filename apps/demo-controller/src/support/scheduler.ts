import {
  type LoadScheduler,
  type ScheduledTimer,
  systemLoadScheduler,
} from '@opscrew/integrations';

/**
 * Time as a port (clock + one-shot timers), so lock renewal, scenario
 * durations and score windows are tested with a fake clock: the same port as
 * the load driver's (one fake, ManualScheduler, serves both).
 */
export type Scheduler = LoadScheduler;
/** A pending callback that can be called off. */
export type Timer = ScheduledTimer;

/** Real time; its timers never keep the process up (shutdown cancels what matters). */
export const systemScheduler: Scheduler = systemLoadScheduler;

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
