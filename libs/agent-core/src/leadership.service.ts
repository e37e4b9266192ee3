import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage, type LeaderRecord, leaderKey } from '@opscrew/contracts';
import {
  type FencingToken,
  LeaderLease,
  type LeaderRole,
  type LeaderRun,
  type LeaderView,
  PeriodicTask,
  type TypedKv,
} from '@opscrew/messaging';
import { AgentIdentity } from './agent-identity';
import { LEADERS_STORE } from './agent-core.tokens';

/** The deadline watch runs at least this often: a stalled renew deposes within it. */
const DEADLINE_CHECK_MAX_MS = 1_000;

/**
 * This replica's part in its agent's leader election (`leaders/<agent>`, bus.leader_lease):
 * every replica runs it; the one that holds the lease does the agent's once-only work (each app
 * gates it with `runIfLeader`: see docs/replicas.md for what each agent gates and why). It ticks
 * the lease every ttl/3 on Nest's scheduler, watches the local deadline more often (so
 * `onDeposed` fires on time even while a renew hangs), acquires before the app's own bootstrap
 * hooks run (AgentCoreModule's hooks come first), and on shutdown releases the lease BEFORE the
 * apps stop — after the leader work in flight finished — so a standby takes over on its next
 * tick instead of waiting out the TTL.
 */
@Injectable()
export class LeadershipService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(LeadershipService.name);
  readonly lease: LeaderLease;
  private readonly renewTask: PeriodicTask<LeaderRole>;
  private readonly deadlineTask: PeriodicTask<boolean>;
  private failing = false;

  constructor(
    @Inject(LEADERS_STORE) store: TypedKv<LeaderRecord>,
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
    identity: AgentIdentity,
    scheduler: SchedulerRegistry,
  ) {
    const config = loaded.config.bus.leader_lease;
    this.lease = new LeaderLease(
      store,
      {
        key: leaderKey(identity.agent),
        holder: identity.replica,
        ttl_ms: Math.round(config.ttl_s * 1000),
        safety_margin_ms: Math.round(config.safety_margin_s * 1000),
      },
      undefined,
      (error) => this.logger.error(`a leadership listener failed: ${errorMessage(error)}`),
    );
    this.lease.onElected((token) =>
      this.logger.log(`${token.key}: leading as ${token.holder} (term ${token.term})`),
    );
    this.lease.onDeposed((reason) =>
      this.logger.warn(`${this.lease.options.key}: standby now: ${reason}`),
    );
    this.renewTask = new PeriodicTask('leader-lease', scheduler, () => this.tick(), {
      onError: () => undefined,
    });
    this.deadlineTask = new PeriodicTask(
      'leader-lease-deadline',
      scheduler,
      () => Promise.resolve(this.lease.isLeader()),
      { onError: () => undefined },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    // Settled before the apps' hooks start their timers, so a lone replica leads from its first
    // cycle. A bus error here is not fatal: the next tick tries again.
    await this.renewTask.run();
    this.renewTask.start(this.lease.renewIntervalMs, false, { unref: true });
    this.deadlineTask.start(
      Math.min(
        DEADLINE_CHECK_MAX_MS,
        Math.max(50, Math.floor(this.lease.options.safety_margin_ms / 2)),
      ),
      false,
      { unref: true },
    );
  }

  /** Before the apps stop: hand over while they are still up (their leader work ends first). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.renewTask.stop();
    try {
      if (await this.lease.release()) this.logger.log(`${this.lease.options.key}: released`);
    } catch (error) {
      this.logger.warn(
        `${this.lease.options.key}: release failed (${errorMessage(error)}); the lease expires on its own`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.renewTask.stop();
    await this.deadlineTask.stop();
  }

  isLeader(): boolean {
    return this.lease.isLeader();
  }

  get role(): LeaderRole {
    return this.lease.role;
  }

  view(): LeaderView {
    return this.lease.view();
  }

  /** Runs `work` only on the leader (see LeaderLease.runIfLeader). */
  runIfLeader<T>(work: (token: FencingToken) => Promise<T>): Promise<LeaderRun<T>> {
    return this.lease.runIfLeader(work);
  }

  onElected(listener: (token: FencingToken) => void): () => void {
    return this.lease.onElected(listener);
  }

  onDeposed(listener: (reason: string) => void): () => void {
    return this.lease.onDeposed(listener);
  }

  private async tick(): Promise<LeaderRole> {
    try {
      const role = await this.lease.tick();
      if (this.failing)
        this.logger.log(`${this.lease.options.key}: the leaders bucket answers again`);
      this.failing = false;
      return role;
    } catch (error) {
      // Once per outage, not every tick.
      if (!this.failing) this.logger.warn(errorMessage(error));
      this.failing = true;
      return this.lease.role;
    }
  }
}

/**
 * Runs `work` only where this process leads its agent. Without an election (a narrow test module
 * that wires no LeadershipService) the one process is the whole agent, so it leads: the one
 * place that rule is spelled.
 */
export async function runAsLeader<T>(
  leadership: Pick<LeadershipService, 'runIfLeader'> | null,
  work: () => Promise<T>,
): Promise<LeaderRun<T>> {
  if (leadership === null) return { ran: true, value: await work() };
  return leadership.runIfLeader(() => work());
}
