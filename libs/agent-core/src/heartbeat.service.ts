import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import {
  heartbeatKey,
  heartbeatSubject,
  type HeartbeatRecord,
  errorMessage,
} from '@opscrew/contracts';
import { EventPublisher, PeriodicTask, type TypedKv } from '@opscrew/messaging';
import { AgentIdentity } from './agent-identity';
import { HEARTBEAT_STORE } from './agent-core.tokens';

const INTERVAL_NAME = 'heartbeat';

/**
 * The liveness ping ("I am alive"): every `heartbeat_interval_s`, publish
 * `heartbeat.<agent>` and write the same record to the `heartbeats` bucket under
 * `<agent>.<replica>`, where atlas reads it: each replica of an agent has its own key, so
 * several replicas on one bus never hide each other. Not the detection cycle: the two are kept apart.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private lastSuccess: Date | null = null;
  private lastCycle: Date | null = null;
  private failing = false;
  private readonly task: PeriodicTask<void>;

  constructor(
    private readonly identity: AgentIdentity,
    private readonly publisher: EventPublisher,
    @Inject(HEARTBEAT_STORE) private readonly store: TypedKv<HeartbeatRecord>,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    scheduler: SchedulerRegistry,
  ) {
    // send() never throws; a beat still in flight (NATS slow or reconnecting) is not stacked upon.
    this.task = new PeriodicTask(INTERVAL_NAME, scheduler, () => this.send(), {
      onError: () => undefined,
    });
  }

  /** Agents with a work cycle report each one; heartbeats carry it so a stuck loop is visible. */
  reportCycle(at: Date = new Date()): void {
    this.lastCycle = at;
  }

  /** When the last heartbeat reached the bus, or null before the first. */
  get lastHeartbeatAt(): Date | null {
    return this.lastSuccess;
  }

  onApplicationBootstrap(): void {
    const agent = this.loaded.config.agents.get(this.identity.agent);
    this.task.start((agent?.heartbeat_interval_s ?? 15) * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One heartbeat; never throws (a missed beat is what atlas is there to notice). */
  async beat(): Promise<void> {
    await this.task.run();
  }

  private async send(): Promise<void> {
    const now = new Date();
    const record: HeartbeatRecord = {
      agent: this.identity.agent,
      replica: this.identity.replica,
      version: this.identity.version,
      pid: this.identity.pid,
      at: now.toISOString(),
      started_at: this.identity.startedAt.toISOString(),
      uptime_s: this.identity.uptimeSeconds(now),
      status: 'ok',
    };
    try {
      await this.publisher.publish(heartbeatSubject(this.identity.agent), {
        agent: record.agent,
        replica: this.identity.replica,
        version: record.version,
        pid: record.pid,
        uptime_s: record.uptime_s,
        status: record.status,
        ...(this.lastCycle ? { last_cycle_at: this.lastCycle.toISOString() } : {}),
      });
      await this.store.put(heartbeatKey(this.identity.agent, this.identity.replica), record);
      this.lastSuccess = now;
      if (this.failing) this.logger.log('heartbeats are reaching the bus again');
      this.failing = false;
    } catch (error) {
      // Logged once per outage, not every interval.
      if (!this.failing) this.logger.warn(`heartbeat failed: ${errorMessage(error)}`);
      this.failing = true;
    }
  }
}
