import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { LeadershipService } from '@opscrew/agent-core';
import { errorMessage } from '@opscrew/contracts';
import { type MonitorConfigView } from '../../ops-monitor.config';
import { DRIFT_STATE_STORE, EPOCH_CLOCK, MONITOR_CONFIG } from '../../ops-monitor.tokens';
import { DetectionEngine } from '../detection.engine';
import { type DriftStateStore } from './drift-state.store';
import { DriftRegistry } from './drift.registry';

/**
 * Carries the drift detectors' learning across a change of leader (docs/replicas.md). The leader
 * saves every `detection.drift.persist.interval_s` after a cycle, and once more when it shuts
 * down (before its lease is released: Nest destroys modules before the leadership's
 * `beforeApplicationShutdown`). Whoever starts leading — a standby taking over, a restarted
 * process, the only replica at boot — restores the snapshots before its first cycle; a snapshot
 * older than `max_age_s` is relearned instead. Called by MonitorCycleRunner around each cycle,
 * so there is no timer of its own.
 */
@Injectable()
export class DriftPersistence implements OnModuleDestroy {
  private readonly logger = new Logger(DriftPersistence.name);
  /** Set at start and on every election: restore before the next cycle. */
  private restoreDue = true;
  private lastSavedAt = 0;
  /** Whether this process ran a cycle since it last restored (only then is there news to save). */
  private learned = false;

  constructor(
    private readonly engine: DetectionEngine,
    private readonly registry: DriftRegistry,
    @Inject(DRIFT_STATE_STORE) private readonly store: DriftStateStore,
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfigView,
    /** Absent in narrow test modules: then this one process is the leader. */
    @Optional()
    @Inject(LeadershipService)
    private readonly leadership: LeadershipService | null = null,
    @Optional() @Inject(EPOCH_CLOCK) private readonly now: () => number = Date.now,
  ) {
    this.leadership?.onElected(() => {
      this.restoreDue = true;
    });
  }

  private get settings(): MonitorConfigView['thresholds']['detection']['drift']['persist'] {
    return this.config.thresholds.detection.drift.persist;
  }

  private get active(): boolean {
    const drift = this.config.thresholds.detection.drift;
    return drift.enabled && drift.persist.enabled;
  }

  /** Before a leader's cycle: the snapshots, once per term. A failed read means relearning. */
  async beforeCycle(): Promise<void> {
    if (!this.active || !this.restoreDue) return;
    this.restoreDue = false;
    this.learned = false;
    const now = this.now();
    try {
      const snapshots = await this.store.load(now, this.settings.max_age_s * 1000);
      this.registry.adopt(snapshots);
      this.engine.forgetDrift();
      this.lastSavedAt = now;
      if (snapshots.length > 0) {
        const newest = Math.max(...snapshots.map((s) => Date.parse(s.saved_at)));
        this.logger.log(
          `restored ${snapshots.length} drift detector state(s), the newest saved ${Math.round((now - newest) / 1000)} s ago`,
        );
      }
    } catch (err: unknown) {
      this.logger.warn(
        `drift states not restored (${errorMessage(err)}): the detectors learn again`,
      );
    }
  }

  /** After a leader's cycle: saved when the interval has passed. */
  async afterCycle(): Promise<void> {
    if (!this.active) return;
    this.learned = true;
    if (this.now() - this.lastSavedAt < this.settings.interval_s * 1000) return;
    await this.save();
  }

  /** Shutdown of a leader that learned something: save while the lease is still ours. */
  async onModuleDestroy(): Promise<void> {
    if (!this.active || !this.learned) return;
    if (this.leadership !== null && !this.leadership.isLeader()) return;
    await this.save();
  }

  private async save(): Promise<void> {
    const now = this.now();
    this.lastSavedAt = now;
    const snapshots = this.registry.snapshot(new Date(now).toISOString());
    const saved = await this.store.save(snapshots);
    this.logger.debug(`saved ${saved} of ${snapshots.length} drift detector state(s)`);
  }
}
