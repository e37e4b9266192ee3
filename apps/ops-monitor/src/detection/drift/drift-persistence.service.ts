import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { LeadershipService } from '@opscrew/agent-core';
import { errorMessage } from '@opscrew/contracts';
import { type MonitorConfigView } from '../../ops-monitor.config';
import {
  DRIFT_STATE_STORE,
  EPOCH_CLOCK,
  MONITOR_CONFIG,
  USUAL_LEVELS_STORE,
} from '../../ops-monitor.tokens';
import { DetectionEngine } from '../detection.engine';
import { type UsualLevelsStore } from '../usual-levels.store';
import { type DriftStateStore } from './drift-state.store';
import { DriftRegistry } from './drift.registry';

/**
 * Carries the detection engine's learning across a change of leader (docs/replicas.md): the drift
 * detectors' states, and every service's usual levels and relative reference
 * (`ops-monitor.usual.<service>`). The leader saves every `detection.drift.persist.interval_s` after a cycle, and once more when it shuts
 * down (before its lease is released: Nest destroys modules before the leadership's
 * `beforeApplicationShutdown`). Whoever starts leading — a standby taking over, a restarted
 * process, the only replica at boot — restores the snapshots before its first cycle; a snapshot
 * older than `max_age_s` is relearned instead. Called by MonitorCycleRunner around each cycle,
 * so there is no timer of its own.
 *
 * Why one service for both kinds, not a second one beside it: they are the same engine's memory
 * and must share one lifecycle — restored together before the same first cycle (a leader that
 * had its references but not its drift, or the reverse, would judge with half a past), saved on
 * the same interval and in the same shutdown while the lease is ours, under the same max age. A
 * second service would mean a second hook in the runner and a second `restoreDue` to keep in step.
 * Only the storage differs (LearningSnapshotStore, one per kind). The settings stay
 * `detection.drift.persist`; the usual levels follow them whether drift detection is on or not.
 * The name is its first tenant's: renaming it would move the runner, the module and the docs for
 * no change of behaviour.
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
    @Inject(USUAL_LEVELS_STORE) private readonly usual: UsualLevelsStore,
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
    return this.settings.enabled;
  }

  /** Drift detectors are saved only when drift detection runs at all. */
  private get driftActive(): boolean {
    return this.config.thresholds.detection.drift.enabled;
  }

  /** Before a leader's cycle: the snapshots, once per term. A failed read means relearning. */
  async beforeCycle(): Promise<void> {
    if (!this.active || !this.restoreDue) return;
    this.restoreDue = false;
    this.learned = false;
    const now = this.now();
    // Even when a read fails: the first save then waits an interval like any other.
    this.lastSavedAt = now;
    await this.restoreUsual(now);
    if (this.driftActive) await this.restoreDrift(now);
  }

  private async restoreUsual(now: number): Promise<void> {
    try {
      const snapshots = await this.usual.load(now, this.settings.max_age_s * 1000);
      this.engine.adoptUsualLevels(snapshots);
      if (snapshots.length > 0) {
        this.logger.log(
          `restored the usual levels of ${snapshots.length} service(s), the newest saved ${this.ageS(snapshots, now)} s ago`,
        );
      }
    } catch (err: unknown) {
      this.logger.warn(
        `usual levels not restored (${errorMessage(err)}): relative references and usual levels learn again`,
      );
    }
  }

  private async restoreDrift(now: number): Promise<void> {
    try {
      const snapshots = await this.store.load(now, this.settings.max_age_s * 1000);
      this.registry.adopt(snapshots);
      this.engine.forgetDrift();
      if (snapshots.length > 0) {
        this.logger.log(
          `restored ${snapshots.length} drift detector state(s), the newest saved ${this.ageS(snapshots, now)} s ago`,
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
    const savedAt = new Date(now).toISOString();
    const usual = this.engine.usualLevels().map((levels) => ({ ...levels, saved_at: savedAt }));
    const usualSaved = await this.usual.save(usual);
    this.logger.debug(`saved the usual levels of ${usualSaved} of ${usual.length} service(s)`);
    if (!this.driftActive) return;
    const snapshots = this.registry.snapshot(savedAt);
    const saved = await this.store.save(snapshots);
    this.logger.debug(`saved ${saved} of ${snapshots.length} drift detector state(s)`);
  }

  /** Seconds since the newest of the snapshots was saved. */
  private ageS(snapshots: readonly { saved_at: string }[], now: number): number {
    const newest = Math.max(...snapshots.map((s) => Date.parse(s.saved_at)));
    return Math.round((now - newest) / 1000);
  }
}
