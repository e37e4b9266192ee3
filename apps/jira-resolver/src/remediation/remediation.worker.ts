import { errorMessage } from '@opscrew/contracts';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicTask } from '@opscrew/messaging';
import { EPOCH_CLOCK } from '../jira-resolver.tokens';
import { RemediationRunsRepository } from './remediation-runs.repository';
import { RemediationEngine } from './remediation.engine';

/**
 * A full scan of the bucket rebuilds the due index this often (and on the first tick): it
 * indexes runs written before the index existed and repairs an index write that failed. Every
 * other tick reads the index only.
 */
export const REINDEX_INTERVAL_MS = 5 * 60_000;

/**
 * Drives every due run one tick at a time. Runs live in KV, so this is
 * stateless: a restarted resolver (or another replica) picks them up where
 * they stand. `kick()` runs a tick now (a new incident, a released lock).
 * What is due comes from the `remediations` due index (one read), not from
 * listing every key of the bucket.
 */
@Injectable()
export class RemediationWorker {
  private readonly logger = new Logger(RemediationWorker.name);
  private readonly task: PeriodicTask<void>;
  /** When the index was last rebuilt from a full scan (epoch ms; never yet: -Infinity). */
  private reindexedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly runs: RemediationRunsRepository,
    private readonly engine: RemediationEngine,
    scheduler: SchedulerRegistry,
    @Optional() @Inject(EPOCH_CLOCK) private readonly now: () => number = Date.now,
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
    const now = this.now();
    if (now - this.reindexedAt >= REINDEX_INTERVAL_MS) {
      await this.runs.reindexAll();
      this.reindexedAt = now;
    }
    for (const entry of await this.runs.due(now)) {
      try {
        await this.engine.advance(entry);
        // Left alone (not due after all: a lock still held, another replica's claim)? Then its
        // entry is set from the record, so an entry that came too early stops coming.
        const after = await this.runs.get(entry.value.incident_id);
        if (after && after.revision === entry.revision) await this.runs.reindex(after);
      } catch (error) {
        // One run's trouble (a runtime down, a bus hiccup) must not stall the others; it is retried next tick.
        this.logger.error(`${entry.value.incident_id}: ${errorMessage(error)}`);
      }
    }
  }
}
