import { Logger } from '@nestjs/common';
import { type AgentNotices, noticeKey } from '@opscrew/agent-core';
import { type AgentLiveness, type ReplicaLiveness } from './agent-liveness';

/** What became of one stale replica of an agent that is still alive. */
export type StaleReplicaOutcome =
  /** Nothing replaced it and it went silent while this atlas watched: one low notice. */
  | 'noticed'
  /** A replica that started after its last beat took over (a restart, a rollout): logged only. */
  | 'replaced'
  /** Already stale when this atlas first saw it (before our start): logged only. */
  | 'inherited';

/**
 * Replica-level liveness: an agent is alive while one replica is fresh, so a replica that goes
 * silent while others carry on is not an agent outage (no `agent.stale`, no restart) — but fewer
 * replicas are doing the work, which deserves a notice: a lower one (`low`), ONE per replica
 * episode (the outbox key names the replica and its last heartbeat, so a second atlas or a
 * restarted one adds none). Not restarted: the runtimes (supervisor, docker) restart whole
 * agents, and restarting an agent that is alive would stop its healthy replicas too.
 *
 * No notice for a replica another replica replaced (one started after its last beat, within the
 * allowance: a supervisor restart, a rolling update) nor for one already stale when this atlas
 * started (the keys of earlier runs wait for the pruner): those are the normal churn of replicas.
 */
export class StaleReplicaNotices {
  private readonly logger = new Logger('LivenessService');
  /** `<agent>.<replica>` → the `at` of the episode handled, or null once seen fresh. */
  private readonly seen = new Map<string, string | null>();

  constructor(private readonly notices: AgentNotices | null) {}

  /** One liveness pass's snapshot; returns what it did per new episode (for tests and logs). */
  async observe(entries: readonly AgentLiveness[]): Promise<Map<string, StaleReplicaOutcome>> {
    const outcomes = new Map<string, StaleReplicaOutcome>();
    const present = new Set<string>();
    for (const entry of entries) {
      for (const replica of entry.replicas) {
        const id = `${entry.agent}.${replica.replica}`;
        present.add(id);
        const before = this.seen.get(id);
        if (!replica.stale) {
          if (typeof before === 'string') {
            this.logger.log(`${entry.agent} replica ${replica.replica} sends heartbeats again`);
          }
          this.seen.set(id, null);
          continue;
        }
        // The agent-level pass owns an agent with no fresh replica; an episode is handled once.
        if (entry.state !== 'alive' || !entry.enabled || before === replica.at) continue;
        const outcome: StaleReplicaOutcome =
          before === undefined ? 'inherited' : replacedBy(entry, replica) ? 'replaced' : 'noticed';
        // Remembered only once handled: a failed enqueue is retried next pass.
        if (outcome === 'noticed') await this.notify(entry, replica);
        else this.logger.log(`${entry.agent} replica ${replica.replica} is stale (${outcome})`);
        this.seen.set(id, replica.at);
        outcomes.set(id, outcome);
      }
    }
    // Pruned keys leave: the map never outgrows the bucket.
    for (const id of [...this.seen.keys()]) if (!present.has(id)) this.seen.delete(id);
    return outcomes;
  }

  private async notify(entry: AgentLiveness, replica: ReplicaLiveness): Promise<void> {
    const fresh = entry.replicas.filter((other) => !other.stale).length;
    const text =
      `No heartbeat from ${entry.agent} replica ${replica.replica} (pid ${replica.pid}) for ` +
      `${replica.heartbeat_age_s} s (allowed ${entry.max_age_s} s); ${fresh} other replica(s) ` +
      `still beat, so ${entry.agent} is alive. Not restarted: atlas restarts whole agents, not one replica.`;
    this.logger.warn(text);
    await this.notices?.enqueue({
      kind: 'notify',
      notification: {
        idempotency_key: noticeKey(`replica-stale:${entry.agent}.${replica.replica}`, replica.at),
        kind: 'escalation',
        severity: 'low',
        title: `${entry.agent}: replica ${replica.replica} is stale`,
        text,
        fields: [
          { name: 'agent', value: entry.agent },
          { name: 'replica', value: replica.replica },
          { name: 'last heartbeat', value: replica.at },
          { name: 'fresh replicas', value: String(fresh) },
        ],
      },
    });
  }
}

/** A fresh replica that started after `stale`'s last beat (less the allowance: a surge rollout). */
function replacedBy(entry: AgentLiveness, stale: ReplicaLiveness): boolean {
  const lastBeat = Date.parse(stale.at) - entry.max_age_s * 1000;
  return entry.replicas.some(
    (other) => !other.stale && other !== stale && Date.parse(other.started_at) >= lastBeat,
  );
}
