import { type SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicTask } from '@opscrew/messaging';

/**
 * Keeps one outbox claim alive while its delivery runs: every `intervalMs` (a third of the
 * claim's TTL) it pushes the claim's expiry forward by CAS. A worker that dies stops renewing,
 * so its claim lapses within one TTL and another worker takes the item over; a slow delivery
 * that is alive is never taken over (no double delivery), however long the vendor takes.
 *
 * A PeriodicTask in the app's scheduler: renewals never overlap, and `stop()` waits for the one
 * in flight, because the delivery's final write must use the revision the last renewal produced.
 */
export class ClaimRenewal {
  private readonly task: PeriodicTask<void>;
  private done = false;

  constructor(
    /** Where the renewal's interval is registered, under `name` (unique per claim). */
    scheduler: SchedulerRegistry,
    name: string,
    intervalMs: number,
    /** One renewal: false when the claim was lost (the CAS found another revision). */
    private readonly renew: () => Promise<boolean>,
    private readonly onLost: () => void,
    onError: (err: unknown) => void,
  ) {
    // A failed renewal (NATS blip) is retried at the next tick; the TTL leaves two more.
    this.task = new PeriodicTask(name, scheduler, () => this.once(), { onError });
    // A renewal must not keep a process alive on its own (a CLI, a test).
    this.task.start(intervalMs, false, { unref: true });
  }

  /** Stops renewing and waits for a renewal in flight (idempotent). */
  async stop(): Promise<void> {
    this.done = true;
    await this.task.stop();
  }

  private async once(): Promise<void> {
    if (this.done) return;
    if (!(await this.renew())) {
      this.done = true;
      // Not awaited: this run is the one in flight that stop() would wait for.
      void this.task.stop();
      this.onLost();
    }
  }
}
