import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HEARTBEAT_STORE } from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage, type AgentName, type HeartbeatRecord, SUBJECTS } from '@opscrew/contracts';
import { EventPublisher, PeriodicTask, type TypedKv } from '@opscrew/messaging';
import { ReportWriter } from '../reports/report-writer.service';
import { type AgentLiveness, type LivenessState } from './agent-liveness';
import { livenessSnapshot } from './liveness-snapshot';

const INTERVAL_NAME = 'liveness';

/**
 * Watches the watchmen: compares each configured agent's last heartbeat (from
 * the `heartbeats` bucket) with its `max_age_s`. On a transition to stale it
 * publishes `agent.stale` once and writes a report line; on recovery it says so.
 */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LivenessService.name);
  private readonly lastState = new Map<AgentName, LivenessState>();
  private readonly task: PeriodicTask<void>;

  constructor(
    @Inject(HEARTBEAT_STORE) private readonly heartbeats: TypedKv<HeartbeatRecord>,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    private readonly publisher: EventPublisher,
    private readonly reports: ReportWriter,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask(INTERVAL_NAME, scheduler, () => this.runCheck(), {
      onError: (error) => this.logger.warn(`liveness check failed: ${errorMessage(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    const intervalS = this.loaded.config.agents.get('atlas')?.liveness?.check_interval_s ?? 10;
    this.task.start(intervalS * 1000, false);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Every configured agent with its verdict, read fresh from the bucket. */
  snapshot(now: Date = new Date()): Promise<AgentLiveness[]> {
    return livenessSnapshot(this.heartbeats, this.loaded.config.agents, now);
  }

  /** One pass; overlapping passes (a slow bucket) are not stacked. */
  async check(): Promise<void> {
    await this.task.run();
  }

  private async runCheck(): Promise<void> {
    for (const entry of await this.snapshot()) {
      const agent = entry.agent as AgentName;
      const previous = this.lastState.get(agent);
      if (entry.state === previous) continue;
      // The state is remembered only once announced: a failed publish is retried next pass.
      if (entry.state === 'stale' && entry.enabled) await this.announceStale(entry);
      if (entry.state === 'alive' && previous === 'stale') await this.announceRecovered(entry);
      this.lastState.set(agent, entry.state);
    }
  }

  private async announceStale(entry: AgentLiveness): Promise<void> {
    this.logger.warn(
      `${entry.agent} is stale: last heartbeat ${entry.last_heartbeat_at ?? 'never'} ` +
        `(${entry.heartbeat_age_s ?? '?'} s ago, max ${entry.max_age_s} s)`,
    );
    // The id is derived from the heartbeat that went missing: an atlas restart within the
    // dedup window re-announcing the same outage is dropped by JetStream.
    const id = `agent.stale.${entry.agent}.${entry.last_heartbeat_at ?? 'never'}`.replace(
      /[^A-Za-z0-9_.-]/g,
      '-',
    );
    await this.publisher.publish(
      SUBJECTS.agentStale,
      {
        agent: entry.agent as AgentName,
        last_heartbeat_at: entry.last_heartbeat_at,
        age_s: entry.heartbeat_age_s,
        max_age_s: entry.max_age_s,
      },
      { id },
    );
    await this.reports.write(
      {
        kind: 'liveness',
        title: `${entry.agent} is stale`,
        text: `No heartbeat from ${entry.agent} for ${entry.heartbeat_age_s ?? '?'} s (allowed ${entry.max_age_s} s). Last seen ${entry.last_heartbeat_at ?? 'never'}, pid ${entry.pid ?? '?'}.`,
        fields: { agent: entry.agent, max_age_s: entry.max_age_s },
      },
      `${id}.report`,
    );
  }

  private async announceRecovered(entry: AgentLiveness): Promise<void> {
    this.logger.log(`${entry.agent} is alive again (pid ${entry.pid ?? '?'})`);
    await this.reports.write({
      kind: 'liveness',
      title: `${entry.agent} recovered`,
      text: `${entry.agent} sends heartbeats again (pid ${entry.pid ?? '?'}, version ${entry.version ?? '?'}).`,
      fields: { agent: entry.agent },
    });
  }
}
