import { Inject, Injectable, Logger } from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { type AgentName, SUBJECTS } from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { AGENT_RUNTIME, type AgentRuntime, type RestartOutcome } from './agent-runtime.port';
import { RESTART_HISTORY, type RestartHistoryStore } from './restart-history.store';
import { decideRestart, clearGiveUp, type RestartLoopLimits } from './restart-loop.policy';

/** A stale agent as the liveness pass sees it. */
export interface StaleAgent {
  readonly agent: AgentName;
  /** The heartbeat that went missing: names the episode. */
  readonly last_heartbeat_at: string | null;
}

/** What atlas did about one stale episode: what its one notice says. */
export type RestartReport =
  | { readonly kind: 'restart'; readonly outcome: RestartOutcome; readonly in_window: number }
  /** A restart loop: no restart, escalated. `first`: this episode is the one that gave up. */
  | {
      readonly kind: 'gave_up';
      readonly first: boolean;
      readonly gave_up_at: string;
      readonly in_window: number;
    };

/**
 * atlas's half of agent lifecycle: on a stale episode (and `liveness.on_stale:
 * notify_and_restart`) it decides with the restart-loop policy, records the decision before
 * acting (a crash between the two never restarts an outage twice), asks the runtime, and puts
 * the result in the crew's event stream (`agent.restarted`) and atlas's audit trail. The
 * runtime only executes; the loop protection lives here, beside the ledger and the notice.
 * atlas itself is never restarted: it is the one that would be asking.
 */
@Injectable()
export class AgentRestarter {
  private readonly logger = new Logger(AgentRestarter.name);
  /** The report of each agent's current episode, for a pass retried after a failed publish. */
  private readonly reported = new Map<
    AgentName,
    { episode: string; report: RestartReport; announced: boolean }
  >();
  /** Agents alive for a whole window whose history had nothing to clear: not read again. */
  private readonly settled = new Set<AgentName>();
  /** Since when each agent has been seen alive (this atlas's passes): the give-up's hysteresis. */
  private readonly aliveSince = new Map<AgentName, number>();

  constructor(
    @Inject(AGENT_RUNTIME) private readonly runtime: AgentRuntime,
    @Inject(RESTART_HISTORY) private readonly history: RestartHistoryStore,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    private readonly publisher: EventPublisher,
    @Inject(AUDIT) private readonly audit: AuditSink,
  ) {}

  /** Whether stale agents are restarted at all (`notify_and_restart`). */
  get enabled(): boolean {
    return this.liveness()?.on_stale === 'notify_and_restart';
  }

  /**
   * Act on a stale episode; null when there is nothing to do (restarts off, atlas itself).
   * Safe to call again for the same episode: the same report comes back, nothing is redone.
   */
  async onStale(stale: StaleAgent, now: Date = new Date()): Promise<RestartReport | null> {
    if (!this.enabled || stale.agent === 'atlas') return null;
    const { agent } = stale;
    this.aliveSince.delete(agent);
    const episode = stale.last_heartbeat_at ?? 'never';
    this.settled.delete(agent);
    const remembered = this.reported.get(agent);
    if (remembered?.episode === episode) {
      if (!remembered.announced) {
        await this.announce(stale, remembered.report);
        remembered.announced = true;
      }
      return remembered.report;
    }
    const decision = decideRestart(
      await this.history.get(agent),
      episode,
      now.getTime(),
      this.limits(),
    );
    // Acted on by an earlier atlas (before its restart): the notice and the event went out then.
    if (decision.action === 'already_handled') return null;
    // Recorded first: if anything below fails, the next pass finds this episode handled.
    await this.history.put(agent, decision.history);
    let report: RestartReport;
    if (decision.action === 'restart') {
      const outcome = await this.runtime.restart(agent);
      report = { kind: 'restart', outcome, in_window: decision.in_window };
    } else {
      report = {
        kind: 'gave_up',
        first: decision.action === 'give_up',
        gave_up_at: decision.history.gave_up_at ?? now.toISOString(),
        in_window: decision.in_window,
      };
    }
    const memo = { episode, report, announced: false };
    this.reported.set(agent, memo);
    await this.announce(stale, report);
    memo.announced = true;
    return report;
  }

  /** An alive agent: once alive for a whole window after a give-up, restarts are allowed again. */
  async onAlive(agent: AgentName, now: Date = new Date()): Promise<void> {
    if (!this.enabled || agent === 'atlas') return;
    const since = this.aliveSince.get(agent) ?? now.getTime();
    this.aliveSince.set(agent, since);
    this.reported.delete(agent);
    // Before a whole window nothing can clear: no read. After it, one read per alive stretch.
    const limits = this.limits();
    if (this.settled.has(agent) || now.getTime() - since < limits.window_minutes * 60_000) return;
    const history = await this.history.get(agent);
    const cleared = clearGiveUp(history, since, now.getTime(), limits);
    if (cleared !== null) await this.history.put(agent, cleared);
    this.settled.add(agent);
    if (cleared === null) return;
    this.logger.log(
      `${agent} stayed alive for a whole restart-loop window: restarts allowed again`,
    );
  }

  limits(): RestartLoopLimits {
    return this.liveness()?.restart_loop ?? { max_restarts: 3, window_minutes: 15 };
  }

  private liveness() {
    return this.loaded.config.agents.get('atlas')?.liveness;
  }

  /** `agent.restarted` (deduplicated per episode by its id) and an audit record. */
  private async announce(stale: StaleAgent, report: RestartReport): Promise<void> {
    const episode = stale.last_heartbeat_at ?? 'never';
    const id = `agent.restarted.${stale.agent}.${episode}`.replace(/[^A-Za-z0-9_.-]/g, '-');
    const outcome = report.kind === 'restart' ? report.outcome : null;
    const detail = describeReport(stale.agent, report, this.limits());
    await this.publisher.publish(
      SUBJECTS.agentRestarted,
      {
        agent: stale.agent,
        outcome: outcome?.status ?? 'gave_up',
        runtime: this.runtime.kind,
        last_heartbeat_at: stale.last_heartbeat_at,
        old_pid: outcome?.status === 'restarted' ? outcome.old_pid : null,
        new_pid: outcome?.status === 'restarted' ? outcome.new_pid : null,
        restarts_in_window: report.in_window,
        detail,
      },
      { id },
    );
    await this.audit.record({
      agent: 'atlas',
      action: 'agent.restart',
      verdict: outcome !== null ? 'allowed' : 'refused',
      result: detail,
      input: { agent: stale.agent, episode, runtime: this.runtime.kind },
    });
    if (outcome?.status === 'restarted') this.logger.warn(detail);
    else this.logger.error(detail);
  }
}

/** One line for the event, the audit record and the notice. */
export function describeReport(
  agent: AgentName,
  report: RestartReport,
  limits: RestartLoopLimits,
): string {
  if (report.kind === 'gave_up') {
    return (
      `restart loop: gave up on ${agent} (${report.in_window} restarts within ${limits.window_minutes} min, ` +
      `limit ${limits.max_restarts}; since ${report.gave_up_at}). No restart until it stays alive for ${limits.window_minutes} min`
    );
  }
  const outcome = report.outcome;
  switch (outcome.status) {
    case 'restarted':
      return `${agent} was stale, restarted by atlas via ${outcome.runtime} (pid ${outcome.old_pid ?? '?'} → ${outcome.new_pid ?? '?'}); ${report.in_window} of ${limits.max_restarts} restarts in ${limits.window_minutes} min`;
    case 'failed':
      return `${agent} is stale and its restart via ${outcome.runtime} failed: ${outcome.detail}`;
    case 'unsupported':
      return `${agent} is stale and was not restarted: ${outcome.detail}`;
  }
}
