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
  groupHeartbeats,
  HEARTBEAT_BOARD,
  HEARTBEAT_STORE,
  type HeartbeatBoard,
  judgeAgent,
  LeadershipService,
  runAsLeader,
  outageWindow,
} from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { AGENT_NAMES, errorMessage, type HeartbeatRecord } from '@opscrew/contracts';
import { NatsConnectionService, PeriodicTask, type TypedKv } from '@opscrew/messaging';
import { prunableReplicas, pruneAfterMs } from './heartbeat-prune.policy';

const INTERVAL_NAME = 'heartbeat-pruner';
/** Keys go stale over minutes; once a minute is plenty. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Deletes the heartbeat keys of replicas long gone (heartbeat-prune.policy). Each delete is a CAS
 * on the revision read, so two atlas replicas pruning at once never fight, and a replica that
 * beat again meanwhile keeps its key. Only atlas prunes (it alone may write others' keys), and
 * of its replicas only the leader (docs/replicas.md): CAS makes a second pruner harmless, the
 * gate makes it idle.
 */
@Injectable()
export class HeartbeatPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatPruner.name);
  private readonly task: PeriodicTask<void>;

  constructor(
    @Inject(HEARTBEAT_BOARD) private readonly board: Pick<HeartbeatBoard, 'read' | 'noteDeleted'>,
    @Inject(HEARTBEAT_STORE) private readonly store: Pick<TypedKv<HeartbeatRecord>, 'delete'>,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    @Inject(NatsConnectionService) private readonly bus: Pick<NatsConnectionService, 'lastOutage'>,
    scheduler: SchedulerRegistry,
    @Optional()
    @Inject(LeadershipService)
    private readonly leadership: LeadershipService | null = null,
  ) {
    this.task = new PeriodicTask(
      INTERVAL_NAME,
      scheduler,
      async () => {
        await runAsLeader(this.leadership, () => this.prune());
      },
      {
        onError: (error) => this.logger.warn(`heartbeat prune failed: ${errorMessage(error)}`),
      },
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(PRUNE_INTERVAL_MS, false);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns the keys it deleted. */
  async prune(now: Date = new Date()): Promise<string[]> {
    const byAgent = groupHeartbeats(await this.board.read());
    const outage = outageWindow(this.bus.lastOutage());
    const deleted: string[] = [];
    for (const agent of AGENT_NAMES) {
      const settings = this.loaded.config.agents.get(agent);
      const beats = byAgent.get(agent);
      if (settings === undefined || beats === undefined) continue;
      const verdict = judgeAgent(agent, beats, settings.max_age_s * 1000, now.getTime(), outage);
      for (const gone of prunableReplicas(verdict.replicas, pruneAfterMs(settings.max_age_s))) {
        const { key, revision } = gone.beat;
        // false: the replica beat again (or another atlas pruned it) since the read.
        if (!(await this.store.delete(key, revision))) continue;
        this.board.noteDeleted(key, revision + 1);
        deleted.push(key);
      }
    }
    if (deleted.length > 0)
      this.logger.log(`pruned heartbeat keys of gone replicas: ${deleted.join(', ')}`);
    return deleted;
  }
}
