import { type Logger } from '@nestjs/common';
import { type SchedulerRegistry } from '@nestjs/schedule';
import { type OutboxKind, errorMessage } from '@opscrew/contracts';
import { PeriodicTask } from '@opscrew/messaging';
import { type OutboxClaims } from './outbox-claims';
import { OutboxHaltedError } from './outbox-item';
import { type OutboxOptions } from './outbox-options';
import { type OutboxStore } from './outbox.store';
import { WorkerLane } from './worker-lane';

/** What the worker needs of the options. */
export type WorkerOptions = Pick<OutboxOptions, 'poll_interval_ms' | 'shutdown_grace_ms'>;

/** One delivery lane's pass (see TrackerLane, NotificationLane). */
export interface LanePass {
  pass(): Promise<void>;
}

/**
 * Runs the two delivery lanes: a pass of each every poll interval (an interval registered with
 * Nest's scheduler), one more on every enqueue, never two passes of one lane at once. Stops
 * gracefully (deliveries in flight get `shutdown_grace_ms`, then every claim is handed back) or
 * at once, as a crash would (halt).
 */
export class OutboxWorker {
  private readonly trackerLane: WorkerLane;
  private readonly notifyLane: WorkerLane;
  /** The poll: a kick of both lanes every poll interval (the lanes never run a pass twice at once). */
  private readonly poll: PeriodicTask<void>;
  private started = false;
  /** Set by stop(): passes pick no new item, so shutdown waits for the deliveries in flight only. */
  private draining = false;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly claims: OutboxClaims,
    tracker: LanePass,
    notifications: LanePass,
    scheduler: SchedulerRegistry,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
  ) {
    const onError = (err: unknown): void => {
      if (err instanceof OutboxHaltedError) return;
      this.logger.error(`outbox pass failed: ${errorMessage(err)}`);
    };
    const active = (): boolean => this.started && !this.store.isHalted;
    this.trackerLane = new WorkerLane(() => tracker.pass(), onError, active);
    this.notifyLane = new WorkerLane(() => notifications.pass(), onError, active);
    this.poll = new PeriodicTask(
      `outbox-poll:${claims.workerId}`,
      scheduler,
      () => Promise.resolve(this.kick()),
      { onError },
    );
  }

  /** True once the worker halts or drains: a lane pass picks no new item. */
  readonly isStopping = (): boolean => this.store.isHalted || this.draining;

  /** Starts the worker: a pass every poll interval, plus one on every kick. */
  start(): void {
    if (this.started || this.store.isHalted) return;
    this.started = true;
    this.draining = false;
    this.stopping = null;
    // Passes read a live view of the bucket from now on, not every key each time.
    this.store.watch();
    // The poll must not keep a CLI or a test process alive on its own.
    this.poll.start(this.options.poll_interval_ms, true, { unref: true });
  }

  /** Idempotent; see OutboxService.stop. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Stops at once, as a crash would (see OutboxService.halt). */
  halt(): void {
    this.store.halt();
    this.started = false;
    this.stopPolling();
    this.store.unwatch();
    void this.claims.stopRenewals(false);
  }

  kick(): void {
    this.trackerLane.kick();
    this.notifyLane.kick();
  }

  kickLane(kind: OutboxKind): void {
    if (kind === 'notify') this.notifyLane.kick();
    else this.trackerLane.kick();
  }

  private stopPolling(): void {
    // The interval goes at once; a poll run only kicks the lanes, so there is nothing to wait for.
    void this.poll.stop();
  }

  private async shutdown(): Promise<void> {
    this.started = false;
    this.draining = true;
    this.stopPolling();
    // A halted worker abandoned its in-flight calls: there is nothing to wait for or release.
    if (this.store.isHalted) {
      this.store.unwatch();
      return;
    }
    const idle = Promise.all([this.trackerLane.idle(), this.notifyLane.idle()]).then(() => true);
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<boolean>((resolve) => {
      graceTimer = setTimeout(() => resolve(false), this.options.shutdown_grace_ms);
    });
    const finished = await Promise.race([idle, grace]);
    clearTimeout(graceTimer);
    let abandoned: string[] = [];
    if (!finished) {
      // Late results of the abandoned calls must not overwrite the released items.
      abandoned = this.claims.heldKeys();
      this.store.halt();
      await this.claims.stopRenewals(true);
      this.logger.warn(
        `outbox ${this.claims.workerId}: ${abandoned.length} delivery(ies) still running after ` +
          `${this.options.shutdown_grace_ms} ms; abandoning them and releasing their claims`,
      );
    }
    try {
      await this.claims.releaseAll(await this.store.scan(), new Set(abandoned));
    } finally {
      this.store.unwatch();
    }
  }
}
