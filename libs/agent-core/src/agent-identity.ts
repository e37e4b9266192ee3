import { hostname } from 'node:os';
import { type AgentName, isReplicaId, REPLICA_ID_MAX_LENGTH } from '@opscrew/contracts';
import { packageVersion } from '@opscrew/config';

/** Who this process is: reported by /health, heartbeats and logs. */
export class AgentIdentity {
  readonly pid = process.pid;
  readonly startedAt = new Date();

  constructor(
    readonly agent: AgentName,
    readonly version: string = packageVersion(),
    /** Which replica of the agent this process is (several may run against one bus). */
    readonly replica: string = replicaId({}),
  ) {}

  uptimeSeconds(now: Date = new Date()): number {
    return Math.max(0, Math.round((now.getTime() - this.startedAt.getTime()) / 100) / 10);
  }
}

/**
 * The replica id: `OPSCREW_REPLICA_ID` when set (the pod name through the downward API, the
 * supervisor's `<agent>-<n>`), else `<host>-<pid>` folded to a DNS label. A set value that is not
 * a DNS label is refused rather than folded: two replicas whose names fold alike would share
 * one heartbeat key and hide each other.
 */
export function replicaId(
  env: Readonly<Record<string, string | undefined>>,
  host: string = hostname(),
  pid: number = process.pid,
): string {
  const configured = env['OPSCREW_REPLICA_ID'];
  if (configured !== undefined && configured !== '') {
    if (!isReplicaId(configured)) {
      throw new Error(
        `OPSCREW_REPLICA_ID: ${JSON.stringify(configured.slice(0, 80))} must be a DNS label ` +
          '(lower-case letters, digits and inner hyphens, at most 63 characters)',
      );
    }
    return configured;
  }
  const suffix = `-${pid}`;
  const folded = host
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, REPLICA_ID_MAX_LENGTH - suffix.length)
    .replace(/-+$/, '');
  return `${folded === '' ? 'replica' : folded}${suffix}`;
}

/** The opscrew package version, from libs/config (read once); kept here for agent-core's callers. */
export { packageVersion };
