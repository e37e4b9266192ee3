import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicTask } from '@opscrew/messaging';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { type OutboxService } from '@opscrew/guardrails';
import { OUTBOX } from '../ops-monitor.tokens';
import { type CycleSummary, MonitorCycle } from './monitor-cycle.service';

const INTERVAL_NAME = 'monitor-cycle';

/**
 * Runs the detection cycle every `cycle_interval_s` (and once at start), never
 * two at a time: a slow cycle (a hanging scrape) delays the next one instead of
 * piling up. Starts and stops the outbox worker with the app.
 */
@Injectable()
export class MonitorCycleRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MonitorCycleRunner.name);
  private readonly task: PeriodicTask<CycleSummary>;
  private last: CycleSummary | null = null;
  private skipped = 0;

  constructor(
    private readonly cycle: MonitorCycle,
    @Inject(OUTBOX) private readonly outbox: OutboxService,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask(
      INTERVAL_NAME,
      scheduler,
      async () => {
        this.last = await this.cycle.run();
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

  /** One cycle now, unless one is still running. */
  async tick(): Promise<CycleSummary | null> {
    return (await this.task.run()) ?? null;
  }
}
