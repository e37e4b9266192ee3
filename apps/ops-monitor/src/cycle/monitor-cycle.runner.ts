import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LeadershipService, runAsLeader } from '@opscrew/agent-core';
import { PeriodicTask } from '@opscrew/messaging';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { type OutboxService } from '@opscrew/guardrails';
import { DriftPersistence } from '../detection/drift/drift-persistence.service';
import { OUTBOX } from '../ops-monitor.tokens';
import { type CycleSummary, MonitorCycle } from './monitor-cycle.service';

const INTERVAL_NAME = 'monitor-cycle';

/**
 * Runs the detection cycle every `cycle_interval_s` (and once at start), never
 * two at a time: a slow cycle (a hanging scrape) delays the next one instead of
 * piling up. Starts and stops the outbox worker with the app.
 *
 * Replicas (docs/replicas.md): active/standby. Only the leader of `leaders/ops-monitor` runs the
 * cycle — and with it the SLO accounting and the capacity history it feeds. Why not shard the
 * services over replicas: each service's detector state (drift baselines, seasonal history)
 * lives in this process's memory, so every membership change would need a state hand-off; and
 * one cycle over 10,000 services takes ~250 ms, so one active replica is plenty. A standby
 * ticks too (its interval is its chance to notice it leads) but skips the cycle. The outbox
 * worker runs on every replica: items are claimed by CAS, so sharing them is safe.
 */
@Injectable()
export class MonitorCycleRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MonitorCycleRunner.name);
  private readonly task: PeriodicTask<CycleSummary | null>;
  private last: CycleSummary | null = null;
  private skipped = 0;

  constructor(
    private readonly cycle: MonitorCycle,
    @Inject(OUTBOX) private readonly outbox: OutboxService,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    scheduler: SchedulerRegistry,
    /** Absent in narrow test modules: then this one process is the leader. */
    @Optional()
    @Inject(LeadershipService)
    private readonly leadership: LeadershipService | null = null,
    /** Absent in narrow test modules: the detectors then live only in memory. */
    @Optional()
    @Inject(DriftPersistence)
    private readonly drift: DriftPersistence | null = null,
  ) {
    this.task = new PeriodicTask(
      INTERVAL_NAME,
      scheduler,
      async () => {
        const run = await runAsLeader(this.leadership, async () => {
          // A new leader starts its drift detectors from what the last one learned.
          await this.drift?.beforeCycle();
          const summary = await this.cycle.run();
          await this.drift?.afterCycle();
          return summary;
        });
        if (!run.ran) return null;
        this.last = run.value;
        return this.last;
      },
      {
        onError: (error) =>
          this.logger.error(`cycle failed: ${(error as Error).stack ?? String(error)}`),
        onOverlap: () => {
          this.skipped++;
          this.logger.warn(
            `previous cycle still running: skipped (${this.skipped} so far); the cycle is slower than its interval`,
          );
        },
      },
    );
  }

  get lastSummary(): CycleSummary | null {
    return this.last;
  }

  onApplicationBootstrap(): void {
    this.outbox.start();
    const intervalS = this.loaded.config.agents.get('ops-monitor')?.monitor?.cycle_interval_s ?? 15;
    this.task.start(intervalS * 1000);
    this.logger.log(`detection cycle every ${intervalS} s`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
    await this.outbox.stop();
  }

  /** One cycle now, unless one is still running; null on a standby (or after a failed cycle). */
  async tick(): Promise<CycleSummary | null> {
    return (await this.task.run()) ?? null;
  }
}
