import { Logger } from '@nestjs/common';
import { type SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicTask } from '@opscrew/agent-core';
import { type RemediationRunsRepository } from './remediation-runs.repository';
import { type RemediationEngine } from './remediation.engine';

/**
 * Drives every active run one tick at a time. Runs live in KV, so this is
 * stateless: a restarted resolver (or another replica) picks them up where
 * they stand. `kick()` runs a tick now (a new incident, a released lock).
 */
export class RemediationWorker {
  private readonly logger = new Logger(RemediationWorker.name);
  private readonly task: PeriodicTask<void>;

  constructor(
    private readonly runs: RemediationRunsRepository,
    private readonly engine: RemediationEngine,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask('remediation-worker', scheduler, () => this.tick(), {
      onError: (error) =>
        this.logger.error(`remediation tick failed: ${(error as Error).stack ?? String(error)}`),
    });
  }

  start(intervalMs: number): void {
    this.task.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  kick(): Promise<void> {
    return this.task.run().then(() => undefined);
  }

  private async tick(): Promise<void> {
    for (const entry of await this.runs.active()) {
      try {
        await this.engine.advance(entry);
      } catch (error) {
        // One run's trouble (a runtime down, a bus hiccup) must not stall the others; it is retried next tick.
        this.logger.error(`${entry.value.incident_id}: ${(error as Error).message}`);
      }
    }
  }
}
