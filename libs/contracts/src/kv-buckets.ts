/**
 * Logical names of the KV buckets holding shared state (DESIGN.md "The bus").
 * libs/messaging declares their history/TTL/storage and maps them to wire names
 * (`<namespace>_<bucket>` when a namespace is set).
 */
export const KV_BUCKETS = {
  /** The incident ledger, keyed by incident id. */
  incidents: 'incidents',
  /** Per-service exclusive leases (load tests, restarts). */
  locks: 'locks',
  /** Last heartbeat per agent, read by atlas. */
  heartbeats: 'heartbeats',
  /** The local tracker's tickets when no Jira is configured. */
  tickets: 'tickets',
  /** Learned baselines and threshold suggestions. */
  learning: 'learning',
  /** Outbound side effects (tickets, alerts) waiting to be delivered. */
  outbox: 'outbox',
  /** Open escalations and their timers. */
  escalations: 'escalations',
  /** Per-day counters behind incident ids (INC-YYYYMMDD-NNN-EEEE), advanced by CAS, and the store's epoch EEEE. */
  sequences: 'sequences',
  /** Open incidents by fingerprint (service + symptom): the dedup index ops-monitor writes by CAS. */
  fingerprints: 'fingerprints',
  /** jira-resolver's remediation runs, a persisted state machine that survives a restart. */
  remediations: 'remediations',
  /** atlas's restart history per agent: its restart-loop window survives atlas's restart. */
  lifecycle: 'lifecycle',
  /** Downsampled CPU, memory and request-rate history per service and metric (capacity forecast). */
  capacity: 'capacity',
  /** Per-service SLI counts in time buckets (ops-monitor writes by CAS, atlas reads for GET /slo). */
  slo: 'slo',
  /** Maintenance windows per service (`/silence`): no tickets or restarts until they end. */
  silences: 'silences',
  /**
   * One leader per agent (`<agent>`) or per agent role (`<agent>.<role>`): the replica that does
   * the work that must happen once (LeaderLease). Every agent writes only its own keys.
   */
  leaders: 'leaders',
  /**
   * Discord interactions already answered, by interaction id (create-if-absent): a replay sent
   * to another atlas replica is refused like one sent to the same replica.
   */
  interactions: 'interactions',
} as const;

export type BucketName = (typeof KV_BUCKETS)[keyof typeof KV_BUCKETS];
export const BUCKET_NAMES: readonly BucketName[] = Object.values(KV_BUCKETS);

/** What NATS accepts as a KV key (also what our keys must look like). */
export const KV_KEY_PATTERN = /^[-/_=.a-zA-Z0-9]+$/;

export function isKvKey(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    KV_KEY_PATTERN.test(value) &&
    !value.startsWith('.') &&
    !value.endsWith('.')
  );
}

/**
 * The key of a service's exclusive lease in the `locks` bucket. A load test and
 * a restart take the same key, so a deliberate stress test and a remediation
 * can never act on one service at once.
 */
export function serviceLockKey(service: string): string {
  return `service.${service}`;
}

/** The service a `locks` key belongs to, or null for other kinds of lock. */
export function serviceOfLockKey(key: string): string | null {
  return key.startsWith('service.') ? key.slice('service.'.length) : null;
}

/** jira-resolver's lease holders start with this (`jira-resolver-<host>-<pid>-…:<incident>`). */
export const REMEDIATION_HOLDER_PREFIX = 'jira-resolver';

/**
 * Whether a service lock stands for deliberate work on the system (a load test)
 * rather than the crew's own remediation. Anomalies under deliberate work are
 * expected and informational; under a remediation they are the incident being
 * fixed, and fold into it as usual.
 */
export function isDeliberateWorkLock(holder: string): boolean {
  return !holder.startsWith(REMEDIATION_HOLDER_PREFIX);
}

/**
 * The key of an agent's leader lease in the `leaders` bucket: `<agent>` for the agent's
 * once-only work as a whole, `<agent>.<role>` for a narrower one (demo-controller's active
 * scenario). Only these keys are writable by the agent (bus-permissions).
 */
export function leaderKey(agent: string, role?: string): string {
  return role === undefined ? agent : `${agent}.${role}`;
}
