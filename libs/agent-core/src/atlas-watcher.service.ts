import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage, type HeartbeatRecord } from '@opscrew/contracts';
import { type Clock, NatsConnectionService, PeriodicTask, systemClock } from '@opscrew/messaging';
import { HEARTBEAT_BOARD } from './agent-core.tokens';
import { AGENT_NOTICES, type AgentNotices, noticeKey } from './agent-notices';
import { type HeartbeatSource } from './heartbeats/heartbeat-board';
import { groupHeartbeats, judgeAgent } from './heartbeats/replica-liveness';
import { outageWindow } from './staleness';

const INTERVAL_NAME = 'atlas-watcher';
/** The clock the watcher reads (tests pass a ManualClock); the system clock otherwise. */
export const ATLAS_WATCHER_CLOCK = Symbol('ATLAS_WATCHER_CLOCK');

/**
 * Who watches the watcher: atlas judges every agent's heartbeat, but a killed atlas went
 * unseen. Each other agent runs this: when no atlas replica has a heartbeat (in the `heartbeats`
 * bucket) younger than atlas's `max_age_s` (one live atlas replica is enough) — counted, like atlas does, from our own bus reconnect after
 * an outage — it logs an error once and enqueues one notice keyed `atlas-stale:<last beat>`;
 * the outbox is shared and idempotent, so however many agents notice, one notice goes out per
 * outage. When atlas beats again it logs so (and notifies, keyed by the same outage).
 * Checked every `liveness.check_interval_s` of atlas (10 s by default).
 */
@Injectable()
export class AtlasWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AtlasWatcher.name);
  private readonly task: PeriodicTask<void>;
  /** The last heartbeat (its `at`) of the outage being reported; null while atlas is alive. */
  private staleSince: string | null = null;
  private noticeSent = false;

  constructor(
    @Inject(HEARTBEAT_BOARD) private readonly heartbeats: HeartbeatSource,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    @Inject(NatsConnectionService) private readonly bus: Pick<NatsConnectionService, 'lastOutage'>,
    scheduler: SchedulerRegistry,
    @Optional() @Inject(AGENT_NOTICES) private readonly notices: AgentNotices | null = null,
    @Optional() @Inject(ATLAS_WATCHER_CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.task = new PeriodicTask(INTERVAL_NAME, scheduler, () => this.runCheck(), {
      onError: (error) => this.logger.warn(`atlas watch failed: ${errorMessage(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    const intervalS = this.loaded.config.agents.get('atlas')?.liveness?.check_interval_s ?? 10;
    this.task.start(intervalS * 1000, false);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass (tests drive it); overlapping passes are not stacked. */
  async check(): Promise<void> {
    await this.task.run();
  }

  private async runCheck(): Promise<void> {
    const atlas = this.loaded.config.agents.get('atlas');
    // No atlas in this crew (or switched off): nobody is expected to beat.
    if (atlas === undefined || !atlas.enabled) return;
    const replicas = groupHeartbeats(await this.heartbeats.read()).get('atlas') ?? [];
    const now = this.clock.now();
    const verdict = judgeAgent(
      'atlas',
      replicas,
      atlas.max_age_s * 1000,
      now,
      outageWindow(this.bus.lastOutage()),
    );
    // Never seen: atlas may simply not have started yet; that is not an outage of it.
    if (verdict.newest === null) return;
    // Stale: the newest beat of any replica is the one that went missing (names the outage);
    // back: a fresh replica speaks for atlas.
    const beat = verdict.newest.beat.record;
    if (verdict.state === 'stale') await this.reportStale(beat, now);
    else if (this.staleSince !== null) {
      const fresh = verdict.replicas.find((replica) => !replica.stale) ?? verdict.newest;
      await this.reportBack(fresh.beat.record);
    }
  }

  private async reportStale(beat: HeartbeatRecord, now: number): Promise<void> {
    if (this.staleSince !== beat.at) {
      this.staleSince = beat.at;
      this.noticeSent = false;
      const ageS = Math.round((now - Date.parse(beat.at)) / 1000);
      this.logger.error(
        `atlas is stale: last heartbeat ${beat.at} (${ageS} s ago, pid ${beat.pid}); ` +
          'no agent liveness is being watched',
      );
    }
    if (this.noticeSent || this.notices === null) return;
    // A failed enqueue is retried next pass (the error reaches the task's onError).
    await this.notices.enqueue({
      kind: 'notify',
      notification: {
        idempotency_key: noticeKey('atlas-stale', beat.at),
        kind: 'escalation',
        severity: 'high',
        title: 'atlas is stale',
        text:
          `No heartbeat from atlas since ${beat.at} (allowed ${this.maxAgeS()} s): ` +
          'agent liveness is not being watched and no stale agent will be reported.',
        fields: [
          { name: 'agent', value: 'atlas' },
          { name: 'last heartbeat', value: beat.at },
          { name: 'pid', value: String(beat.pid) },
        ],
      },
    });
    this.noticeSent = true;
  }

  private async reportBack(beat: HeartbeatRecord): Promise<void> {
    const since = this.staleSince;
    this.logger.log(`atlas is alive again (pid ${beat.pid}, last heartbeat ${beat.at})`);
    if (this.notices !== null && this.noticeSent) {
      await this.notices.enqueue({
        kind: 'notify',
        notification: {
          idempotency_key: noticeKey('atlas-back', since),
          kind: 'resolution',
          severity: 'info',
          title: 'atlas is back',
          text: `atlas sends heartbeats again (pid ${beat.pid}, version ${beat.version}).`,
          fields: [{ name: 'agent', value: 'atlas' }],
        },
      });
    }
    this.staleSince = null;
    this.noticeSent = false;
  }

  private maxAgeS(): number {
    return this.loaded.config.agents.get('atlas')?.max_age_s ?? 0;
  }
}
