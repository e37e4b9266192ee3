import { type Logger } from '@nestjs/common';
import { errorMessage, leaderKey } from '@opscrew/contracts';
import { type Lease, LeaseLostError, type LeaseService } from '@opscrew/messaging';
import { type Scheduler, type Timer } from '../support/scheduler';
import { ScenarioBusyError } from './scenario.errors';

/** The one active scenario of the whole crew: a key among demo-controller's leader keys. */
export const ACTIVE_SCENARIO_KEY = leaderKey('demo-controller', 'active-scenario');
/**
 * How long the slot outlives a replica that died mid-run: a new scenario may start this long
 * after the crash at the latest. Renewed at ~75 % while the scenario runs.
 */
export const ACTIVE_SCENARIO_TTL_MS = 30_000;

export type SlotLeases = Pick<
  LeaseService,
  'acquire' | 'renew' | 'release' | 'renewDelay' | 'current'
>;

/** What the slot says about the run holding it (lease holder `<replica>:<run id>`, reason the scenario). */
function running(lease: { holder: string; reason: string }): {
  scenario: string;
  run_id: string;
  replica: string;
} {
  const cut = lease.holder.indexOf(':');
  return {
    scenario: lease.reason,
    replica: cut < 0 ? lease.holder : lease.holder.slice(0, cut),
    run_id: cut < 0 ? '?' : lease.holder.slice(cut + 1),
  };
}

/** The slot while a run holds it: renewed until released; `onLost` when someone else took it. */
export class SlotHold {
  private timer: Timer | null = null;
  private released = false;

  constructor(
    private lease: Lease,
    private readonly deps: {
      readonly leases: SlotLeases;
      readonly scheduler: Scheduler;
      readonly logger: Pick<Logger, 'warn' | 'error'>;
      readonly onLost: (reason: string) => void;
    },
  ) {
    this.schedule();
  }

  /** CAS delete: the next start, on any replica, finds the slot free at once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.timer?.cancel();
    try {
      await this.deps.leases.release(this.lease);
    } catch (error) {
      this.deps.logger.warn(
        `${ACTIVE_SCENARIO_KEY}: release failed (${errorMessage(error)}); it expires at ${this.lease.expires_at}`,
      );
    }
  }

  private schedule(): void {
    const delay = this.deps.leases.renewDelay(this.lease);
    this.timer = this.deps.scheduler.after(delay, () => void this.renew());
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    try {
      this.lease = await this.deps.leases.renew(this.lease, ACTIVE_SCENARIO_TTL_MS);
    } catch (error) {
      const expired = Date.parse(this.lease.expires_at) <= this.deps.scheduler.now();
      if (error instanceof LeaseLostError || expired) {
        // Another replica may start a scenario now: this one must stop acting.
        this.released = true;
        this.deps.onLost(`the active-scenario slot was lost (${errorMessage(error)})`);
        return;
      }
      this.deps.logger.warn(
        `${ACTIVE_SCENARIO_KEY}: renew failed (${errorMessage(error)}); retrying`,
      );
    }
    if (!this.released) this.schedule();
  }
}

/**
 * At most one scenario across every demo-controller replica (every incident must belong to
 * exactly one run): a start takes the `demo-controller.active-scenario` lease in the `leaders`
 * bucket (create-if-absent, or over an expired one), renews it while the run lasts and deletes it
 * (CAS) at the end. A start anywhere else meanwhile is refused naming the run and its replica
 * (HTTP 409). The runner's in-process check stays in front of it: it answers without a round trip.
 */
export class ScenarioSlot {
  constructor(
    private readonly leases: SlotLeases,
    private readonly replica: string,
    private readonly scheduler: Scheduler,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {}

  /**
   * The run holding the slot now (on any replica), or null. A replica starting up asks before
   * it calls a journalled run "stopped during the run": the run may live on another replica.
   */
  async runningRunId(): Promise<string | null> {
    const current = await this.leases.current(ACTIVE_SCENARIO_KEY);
    return current === null ? null : running(current).run_id;
  }

  /** Takes the slot for `run_id`, or throws ScenarioBusyError naming who holds it. */
  async take(scenario: string, runId: string, onLost: (reason: string) => void): Promise<SlotHold> {
    const holder = `${this.replica}:${runId}`;
    const result = await this.leases.acquire(
      ACTIVE_SCENARIO_KEY,
      holder,
      ACTIVE_SCENARIO_TTL_MS,
      scenario,
    );
    if (result.ok) {
      return new SlotHold(result.lease, {
        leases: this.leases,
        scheduler: this.scheduler,
        logger: this.logger,
        onLost,
      });
    }
    // The reason (the scenario's name) is on the lease itself; it may have ended meanwhile.
    const current = await this.leases.current(ACTIVE_SCENARIO_KEY);
    const other = current ?? { holder: result.held_by.holder, reason: '?' };
    throw new ScenarioBusyError(running(other), scenario);
  }
}
