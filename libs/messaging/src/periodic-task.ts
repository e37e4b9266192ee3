import { type SchedulerRegistry } from '@nestjs/schedule';

/**
 * A job that runs every interval, never two at a time: a slow run (NATS
 * reconnecting, a hanging scrape) delays the next one instead of piling runs
 * up. Registered with Nest's scheduler so it is visible and cleaned up; `stop`
 * waits for the run in flight, so shutdown never cuts one in half.
 * The one way a unit of this repo runs something periodically (issue 14: one scheduler, no
 * private timers); it lives in libs/messaging so the bus and the guardrails can use it too.
 */
export class PeriodicTask<T> {
  private inFlight: Promise<T | undefined> | null = null;

  constructor(
    private readonly name: string,
    private readonly scheduler: SchedulerRegistry,
    private readonly body: () => Promise<T>,
    private readonly hooks: {
      /** A run threw: the task goes on (the next interval is another chance). */
      readonly onError: (error: unknown) => void;
      /** An interval came while the previous run was still going. */
      readonly onOverlap?: () => void;
    },
  ) {}

  /**
   * Starts the interval (and, by default, one run right away). `unref`: the interval alone does
   * not keep the process alive (housekeeping of an object whose owner may forget to stop it).
   */
  start(intervalMs: number, runNow = true, options: { readonly unref?: boolean } = {}): void {
    if (runNow) void this.run();
    const handle = setInterval(() => void this.run(), intervalMs);
    if (options.unref === true) handle.unref();
    this.scheduler.addInterval(this.name, handle);
  }

  /** One run now, or the one already in flight. Never rejects. */
  run(): Promise<T | undefined> {
    if (this.inFlight) {
      this.hooks.onOverlap?.();
      return this.inFlight;
    }
    this.inFlight = this.body()
      .catch((error: unknown) => {
        this.hooks.onError(error);
        return undefined;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  async stop(): Promise<void> {
    if (this.scheduler.doesExist('interval', this.name)) this.scheduler.deleteInterval(this.name);
    await this.inFlight;
  }
}
