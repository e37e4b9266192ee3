import { type AgentName, type HeartbeatRecord, parseHeartbeatKey } from '@opscrew/contracts';
import { isStale, type OutageWindow } from '../staleness';

/** One key of the `heartbeats` bucket as read (a scan's get or a watch's entry). */
export interface HeartbeatEntry {
  readonly key: string;
  readonly revision: number;
  readonly value: HeartbeatRecord;
}

/** One replica's last heartbeat: whose it is, and the key and revision it was read at. */
export interface ReplicaBeat {
  readonly agent: AgentName;
  readonly replica: string;
  readonly key: string;
  readonly revision: number;
  readonly record: HeartbeatRecord;
  /** `record.at` in epoch ms. */
  readonly atMs: number;
}

export interface ReplicaVerdict {
  readonly beat: ReplicaBeat;
  readonly stale: boolean;
  /** Plain age of its last heartbeat (never negative: a beat from the future is age 0). */
  readonly ageMs: number;
}

export type AgentLivenessState = 'alive' | 'stale' | 'never_seen';

/** One agent judged over all its replicas. */
export interface AgentVerdict {
  readonly agent: AgentName;
  /** alive: at least one fresh replica; stale: replicas known, none fresh; never_seen: none known. */
  readonly state: AgentLivenessState;
  /** Newest heartbeat first. */
  readonly replicas: readonly ReplicaVerdict[];
  /** The replica with the newest heartbeat: whose `at`, pid and version speak for the agent. */
  readonly newest: ReplicaVerdict | null;
}

/**
 * The bucket's entries by agent, each agent's replicas newest heartbeat first. The key names the
 * agent and the replica (`<agent>.<replica>`; a bare `<agent>` is a record from before replicas,
 * read as replica `<agent>`). Skipped: keys that name no agent, records whose `agent` is not the
 * key's (the grants let no agent write another's keys; such a record is not evidence of either),
 * and records whose `at` does not parse.
 */
export function groupHeartbeats(entries: readonly HeartbeatEntry[]): Map<AgentName, ReplicaBeat[]> {
  const byAgent = new Map<AgentName, ReplicaBeat[]>();
  for (const entry of entries) {
    const owner = parseHeartbeatKey(entry.key);
    if (owner === null || owner.agent !== entry.value.agent) continue;
    const atMs = Date.parse(entry.value.at);
    if (!Number.isFinite(atMs)) continue;
    const beat: ReplicaBeat = {
      agent: owner.agent,
      replica: owner.replica,
      key: entry.key,
      revision: entry.revision,
      record: entry.value,
      atMs,
    };
    const list = byAgent.get(owner.agent);
    if (list === undefined) byAgent.set(owner.agent, [beat]);
    else list.push(beat);
  }
  for (const list of byAgent.values()) list.sort(newestFirst);
  return byAgent;
}

/**
 * An agent's verdict from its replicas: each replica judged by the one staleness rule (isStale,
 * with the judge's own outage grace), the agent alive while ANY replica is fresh. Pure.
 */
export function judgeAgent(
  agent: AgentName,
  beats: readonly ReplicaBeat[],
  thresholdMs: number,
  nowMs: number,
  outage: OutageWindow | null = null,
): AgentVerdict {
  const replicas = [...beats].sort(newestFirst).map((beat): ReplicaVerdict => ({
    beat,
    stale: isStale(beat.atMs, thresholdMs, nowMs, outage),
    ageMs: Math.max(0, nowMs - beat.atMs),
  }));
  const state: AgentLivenessState =
    replicas.length === 0 ? 'never_seen' : replicas.some((r) => !r.stale) ? 'alive' : 'stale';
  return { agent, state, replicas, newest: replicas[0] ?? null };
}

/** Newest heartbeat first; ties by key, so the order is the same on every read. */
function newestFirst(a: ReplicaBeat, b: ReplicaBeat): number {
  return b.atMs - a.atMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
