import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  AGENT_NOTICES,
  type AgentNotices,
  HEARTBEAT_BOARD,
  type HeartbeatSource,
  LeadershipService,
  runAsLeader,
  noticeKey,
  outageWindow,
} from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage, type AgentName, SUBJECTS } from '@opscrew/contracts';
import { EventPublisher, NatsConnectionService, PeriodicTask } from '@opscrew/messaging';
import {
  AgentRestarter,
  describeReport,
  type RestartReport,
} from '../lifecycle/agent-restarter.service';
import { ReportWriter } from '../reports/report-writer.service';
import { type AgentLiveness, type LivenessState } from './agent-liveness';
import { livenessSnapshot } from './liveness-snapshot';
import { StaleReplicaNotices } from './stale-replica.notices';

const INTERVAL_NAME = 'liveness';

/**
 * Watches the watchmen: compares each configured agent's replicas' last heartbeats (from
 * the `heartbeats` bucket) with its `max_age_s`; an agent is stale when no replica is fresh.
 * A replica gone stale while others beat is a lower, replica-level notice (StaleReplicaNotices).
 * On an agent's transition to stale it
 * publishes `agent.stale` once, writes a report line and enqueues one notification (its
 * outbox, idempotent per stale episode); on recovery it says so the same ways. After an outage
 * of atlas's own bus link, ages count from the reconnect (agent-core's isStale): a 13 s NATS
 * restart no longer makes every agent stale. With `liveness.on_stale: notify_and_restart` the
 * AgentRestarter restarts a stale agent once per episode (or gives up on a restart loop) and
 * the episode's one notice says what it did.
 */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LivenessService.name);
  private readonly lastState = new Map<AgentName, LivenessState>();
  /**
   * The missing heartbeat (`at`) of each agent's stale episode whose notice was enqueued, and
   * whether its recovery deserves a notice of its own (not when the notice said "restarted").
   */
  private readonly noticed = new Map<AgentName, { since: string; backNotice: boolean }>();
  private readonly task: PeriodicTask<void>;
  private readonly replicaNotices: StaleReplicaNotices;

  constructor(
    @Inject(HEARTBEAT_BOARD) private readonly heartbeats: HeartbeatSource,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    private readonly publisher: EventPublisher,
    private readonly reports: ReportWriter,
    scheduler: SchedulerRegistry,
    @Inject(NatsConnectionService) private readonly bus: Pick<NatsConnectionService, 'lastOutage'>,
    @Optional() @Inject(AGENT_NOTICES) private readonly notices: AgentNotices | null = null,
    @Optional() @Inject(AgentRestarter) private readonly restarter: AgentRestarter | null = null,
    @Optional()
    @Inject(LeadershipService)
    private readonly leadership: LeadershipService | null = null,
  ) {
    this.replicaNotices = new StaleReplicaNotices(notices);
    this.task = new PeriodicTask(INTERVAL_NAME, scheduler, () => this.runAsLeader(), {
      onError: (error) => this.logger.warn(`liveness check failed: ${errorMessage(error)}`),
    });
    // What an earlier reign of this replica saw is stale by now: a new reign starts from the
    // bucket. Episodes already noticed stay noticed (their outbox keys make a repeat a no-op).
    this.leadership?.onElected(() => this.lastState.clear());
  }

  /**
   * Replicas: only the leader of `leaders/atlas` announces stale agents and restarts them (a
   * restart must happen once; docs/replicas.md). Every replica serves the reads (`snapshot`).
   */
  private async runAsLeader(): Promise<void> {
    await runAsLeader(this.leadership, () => this.runCheck());
  }

  onApplicationBootstrap(): void {
    const intervalS = this.loaded.config.agents.get('atlas')?.liveness?.check_interval_s ?? 10;
    this.task.start(intervalS * 1000, false);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Every configured agent with its verdict over its replicas (the board: a watched view). */
  snapshot(now: Date = new Date()): Promise<AgentLiveness[]> {
    return livenessSnapshot(
      this.heartbeats,
      this.loaded.config.agents,
      now,
      outageWindow(this.bus.lastOutage()),
    );
  }

  /** One pass; overlapping passes (a slow bucket) are not stacked. */
  async check(): Promise<void> {
    await this.task.run();
  }

  private async runCheck(): Promise<void> {
    const entries = await this.snapshot();
    for (const entry of entries) {
      const agent = entry.agent as AgentName;
      const previous = this.lastState.get(agent);
      if (entry.state === previous) continue;
      // The state is remembered only once announced: a failed publish is retried next pass.
      if (entry.state === 'stale' && entry.enabled) await this.announceStale(entry);
      if (entry.state === 'alive' && previous === 'stale') await this.announceRecovered(entry);
      this.lastState.set(agent, entry.state);
    }
    // Every pass, not only on a change: a give-up ends after a whole window alive.
    for (const entry of entries) {
      if (entry.state === 'alive') await this.restarter?.onAlive(entry.agent as AgentName);
    }
    await this.replicaNotices.observe(entries);
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
    // Restart (once per episode; never atlas) before the notice, so the one notice says how it went.
    const restart =
      (await this.restarter?.onStale({
        agent: entry.agent as AgentName,
        last_heartbeat_at: entry.last_heartbeat_at,
      })) ?? null;
    await this.notifyStale(entry, restart);
  }

  /** ONE notice per stale episode (its key): plain, "restarted", "restart failed" or "gave up". */
  private async notifyStale(entry: AgentLiveness, restart: RestartReport | null): Promise<void> {
    if (this.notices === null) return;
    const since = entry.last_heartbeat_at ?? 'never';
    const silence = `No heartbeat from ${entry.agent} for ${entry.heartbeat_age_s ?? '?'} s (allowed ${entry.max_age_s} s). Last seen ${since}, pid ${entry.pid ?? '?'}.`;
    const restarted = restart?.kind === 'restart' && restart.outcome.status === 'restarted';
    const line =
      restart !== null && this.restarter !== null
        ? describeReport(entry.agent as AgentName, restart, this.restarter.limits())
        : null;
    await this.notices.enqueue({
      kind: 'notify',
      notification: {
        idempotency_key: noticeKey(`agent-stale:${entry.agent}`, since),
        kind: 'escalation',
        // A restart that worked is news, not an emergency; anything else needs a human.
        severity: restarted ? 'medium' : 'high',
        title: staleTitle(entry.agent, restart),
        text: line === null ? silence : `${line}. ${silence}`,
        fields: [
          { name: 'agent', value: entry.agent },
          { name: 'last heartbeat', value: since },
          ...(restart === null
            ? []
            : [
                {
                  name: 'restart',
                  value:
                    restart.kind === 'gave_up' ? 'gave up (restart loop)' : restart.outcome.status,
                },
              ]),
        ],
      },
    });
    this.noticed.set(entry.agent as AgentName, { since, backNotice: !restarted });
  }

  private async announceRecovered(entry: AgentLiveness): Promise<void> {
    this.logger.log(`${entry.agent} is alive again (pid ${entry.pid ?? '?'})`);
    // The (idempotent) notice goes first: a failed report write retries the pass, not a notice.
    await this.notifyRecovered(entry);
    await this.reports.write({
      kind: 'liveness',
      title: `${entry.agent} recovered`,
      text: `${entry.agent} sends heartbeats again (pid ${entry.pid ?? '?'}, version ${entry.version ?? '?'}).`,
      fields: { agent: entry.agent },
    });
  }

  /** Only an episode whose stale notice went out gets a "back" notice, keyed by that episode. */
  private async notifyRecovered(entry: AgentLiveness): Promise<void> {
    const episode = this.noticed.get(entry.agent as AgentName);
    // A restart's notice already said it: its recovery is the expected end, not a second notice.
    if (episode !== undefined && !episode.backNotice) this.noticed.delete(entry.agent as AgentName);
    if (this.notices === null || episode === undefined || !episode.backNotice) return;
    const since = episode.since;
    await this.notices.enqueue({
      kind: 'notify',
      notification: {
        idempotency_key: noticeKey(`agent-back:${entry.agent}`, since),
        kind: 'resolution',
        severity: 'info',
        title: `${entry.agent} is back`,
        text: `${entry.agent} sends heartbeats again (pid ${entry.pid ?? '?'}, version ${entry.version ?? '?'}).`,
        fields: [{ name: 'agent', value: entry.agent }],
      },
    });
    this.noticed.delete(entry.agent as AgentName);
  }
}

function staleTitle(agent: string, restart: RestartReport | null): string {
  if (restart === null) return `${agent} is stale`;
  if (restart.kind === 'gave_up') return `${agent}: restart loop, gave up`;
  switch (restart.outcome.status) {
    case 'restarted':
      return `${agent} was stale, restarted by atlas`;
    case 'failed':
      return `${agent} is stale, restart failed`;
    case 'unsupported':
      return `${agent} is stale, not restarted`;
  }
}
