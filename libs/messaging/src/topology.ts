import {
  type AnyEvent,
  type BucketName,
  type EventOf,
  type EventSubject,
  KV_BUCKETS,
  SUBJECTS,
} from '@opscrew/contracts';

/**
 * The bus topology in ONE place: the stream, the durable consumers and the KV
 * buckets, all by logical name. `provisionTopology` / `provisionBuckets` make
 * the server match these declarations.
 */

/** Subject families the stream captures (namespace-mapped at provisioning). */
export const STREAM_SUBJECTS = [
  'incident.>',
  'remediation.>',
  'lock.>',
  'scenario.>',
  'heartbeat.>',
  'report.>',
  'agent.>',
  'deadletter.>',
  'audit.>',
] as const;

/**
 * Events stay replayable for a week: a ledger or a score can be rebuilt after a
 * weekend outage, and a small single-node disk never fills (heartbeats alone are
 * ~4 agents × 1 per 15 s). No max_bytes: on 2.9 a byte limit reserves that much
 * of the JetStream store up front, which would starve test streams.
 */
export const STREAM_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export type DeliverFrom = 'all' | 'new';

export interface ConsumerDeclaration {
  /** Durable name (per stream, so not namespaced). */
  readonly durable: string;
  /** Logical filter subject; one filter only (multi-filter needs 2.10). */
  readonly filter: string;
  readonly description: string;
  /** Where a NEW consumer starts; not editable later. */
  readonly deliver: DeliverFrom;
  /** Time the server waits for an ack before redelivering. */
  readonly ack_wait_ms: number;
  /** Deliveries before the server gives up; our consumer dead-letters at the last one. */
  readonly max_deliver: number;
  /** Unacked messages outstanding across all instances of this consumer. */
  readonly max_ack_pending: number;
  /** Messages a client buffers per pull; small when handlers are slow (their ack_wait is ticking). */
  readonly pull_batch: number;
}

/**
 * Unacked messages in hand for fast consumers: far above what an agent handles
 * per second, and a bound on what piles up (and gets redelivered) if a handler
 * stalls.
 */
const MAX_ACK_PENDING_FAST = 256;

/**
 * Messages per pull for fast handlers: 32 amortises the pull round trip and is
 * handled in well under a second, long before the buffered tail nears ack_wait.
 */
const PULL_BATCH_FAST = 32;

/**
 * Ten deliveries with nak backoff 1 s → 60 s cap span ~5 min of retries: enough
 * to ride out an integration outage, few enough that a poison message reaches
 * the dead-letter subject the same shift.
 */
const MAX_DELIVER_DEFAULT = 10;

export const CONSUMERS = {
  'jira-resolver-incidents': {
    durable: 'jira-resolver-incidents',
    filter: SUBJECTS.incidentDetected,
    description: 'jira-resolver takes new incidents: ticket, runbook, verify, escalate',
    deliver: 'all',
    // A handler moves a ticket and starts a runbook; 60 s covers a slow Jira call,
    // and the consumer sends in-progress pings for anything longer.
    ack_wait_ms: 60_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // Remediations touch shared runtime: at most 4 incidents in hand at once.
    max_ack_pending: 4,
    // Slow handlers: do not let buffered incidents age past ack_wait.
    pull_batch: 1,
  },
  'jira-resolver-reopened': {
    durable: 'jira-resolver-reopened',
    filter: SUBJECTS.incidentUpdated,
    description:
      'jira-resolver re-attempts an incident that recurred after resolution (within max_retries)',
    deliver: 'all',
    // The handler writes one KV entry; most updates are ignored at once.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    pull_batch: PULL_BATCH_FAST,
  },
  'jira-resolver-locks': {
    durable: 'jira-resolver-locks',
    filter: SUBJECTS.lockReleased,
    description:
      'jira-resolver resumes remediations deferred behind a lock the moment it is released',
    // Only releases from now on matter: a deferred run also re-checks the lock on its own timer.
    deliver: 'new',
    // The handler only wakes the worker.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    pull_batch: PULL_BATCH_FAST,
  },
  'atlas-ledger': {
    durable: 'atlas-ledger',
    filter: 'incident.>',
    description: 'atlas follows every incident lifecycle change (SLOs, postmortems, ChatOps)',
    deliver: 'all',
    // Ledger writes are a KV put or two: 30 s is generous.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    pull_batch: PULL_BATCH_FAST,
  },
  'atlas-postmortems': {
    durable: 'atlas-postmortems',
    // NATS 2.9 takes one filter per consumer: the family, and the handler keeps resolved/escalated.
    filter: 'incident.>',
    description: 'atlas drafts a postmortem when an incident is resolved or escalated',
    deliver: 'all',
    // A draft may be a model call (bounded by integrations.llm.budgets.run_timeout_ms) and a
    // file write; the loop's in-progress pings keep a longer one from being redelivered.
    ack_wait_ms: 120_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // One model call at a time is plenty: incidents end minutes apart, and a burst can queue.
    max_ack_pending: 4,
    pull_batch: 1,
  },
  'atlas-heartbeats': {
    durable: 'atlas-heartbeats',
    filter: 'heartbeat.>',
    description: 'atlas watches agent liveness',
    // An old heartbeat says nothing about now: a new consumer starts at the tail.
    deliver: 'new',
    // Heartbeats are handled in microseconds; a stuck one is stale anyway.
    ack_wait_ms: 10_000,
    // A heartbeat is superseded within one interval: no point retrying it long.
    max_deliver: 3,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    // Heartbeats are tiny and handled in microseconds: a bigger batch costs nothing.
    pull_batch: 64,
  },
  'atlas-reports': {
    durable: 'atlas-reports',
    filter: 'report.>',
    description: 'atlas forwards reports to the notifier',
    deliver: 'all',
    // The notifier is rate limited (Discord 5/min): a send may wait its turn.
    ack_wait_ms: 120_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // More in hand would only wait on the notifier's rate limit (and age past ack_wait).
    max_ack_pending: 16,
    pull_batch: 4,
  },
  'atlas-deadletters': {
    durable: 'atlas-deadletters',
    filter: 'deadletter.>',
    description: 'atlas surfaces dead letters to humans',
    deliver: 'all',
    // Surfacing goes through the rate-limited notifier, like reports.
    ack_wait_ms: 60_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // Dead letters are rare; a handful in hand keeps the notifier's queue short.
    max_ack_pending: 16,
    pull_batch: 4,
  },
  'demo-controller-incidents': {
    durable: 'demo-controller-incidents',
    filter: 'incident.>',
    description: 'demo-controller scores detection latency, false positives and missed alerts',
    deliver: 'all',
    // Scoring is an in-memory update plus a KV write: 30 s is generous.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    pull_batch: PULL_BATCH_FAST,
  },
  'demo-controller-remediations': {
    durable: 'demo-controller-remediations',
    filter: 'remediation.>',
    description: 'demo-controller scores resolution time',
    deliver: 'all',
    // Same work as scoring incidents.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    pull_batch: PULL_BATCH_FAST,
  },
  'demo-controller-locks': {
    durable: 'demo-controller-locks',
    filter: 'lock.>',
    description:
      'demo-controller sees who held which service when (an informational alert under a held lock is correct)',
    // Only locks held while a run's window is open matter; older ones explain nothing.
    deliver: 'new',
    // Recording a lock hold is an in-memory update plus a KV write, like scoring incidents.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING_FAST,
    pull_batch: PULL_BATCH_FAST,
  },
  'ops-monitor-scenarios': {
    durable: 'ops-monitor-scenarios',
    filter: 'scenario.>',
    description: 'ops-monitor learns which anomalies a running scenario explains',
    // Only scenarios running from now on matter to detection.
    deliver: 'new',
    // Recording a scenario window is a memory update: 30 s is generous.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // Scenarios start a few per hour at most.
    max_ack_pending: 64,
    pull_batch: 8,
  },
} as const satisfies Record<string, ConsumerDeclaration>;

export type ConsumerName = keyof typeof CONSUMERS;
export const CONSUMER_NAMES = Object.keys(CONSUMERS) as ConsumerName[];

export function isConsumerName(name: string): name is ConsumerName {
  return Object.prototype.hasOwnProperty.call(CONSUMERS, name);
}

/** The declaration of a consumer by name; throws a readable error for an unknown one. */
export function consumerDeclaration(name: string): ConsumerDeclaration {
  if (!isConsumerName(name)) {
    throw new Error(`bus: unknown consumer "${name}" (declared: ${CONSUMER_NAMES.join(', ')})`);
  }
  return CONSUMERS[name];
}

/** The events a filter can deliver: `incident.>` → the union of incident events. */
export type EventsMatching<F extends string> = F extends `${infer Prefix}.>`
  ? [Extract<EventSubject, `${Prefix}.${string}`>] extends [never]
    ? AnyEvent
    : EventOf<Extract<EventSubject, `${Prefix}.${string}`>>
  : F extends EventSubject
    ? EventOf<F>
    : AnyEvent;

/** The event type a declared consumer's handler receives. */
export type ConsumedEvent<N extends ConsumerName> = EventsMatching<(typeof CONSUMERS)[N]['filter']>;

export type BucketStorage = 'file' | 'memory';

export interface BucketDeclaration {
  /** Values kept per key (1 = latest only). */
  readonly history: number;
  /** Bucket-level TTL in ms, 0 = keep. NATS 2.9 has no per-key TTL. */
  readonly ttl_ms: number;
  readonly storage: BucketStorage;
  /** Largest value accepted. */
  readonly max_value_bytes: number;
  readonly description: string;
}

/** 64 KiB: an incident record with evidence and notes is a few KiB; this stops a runaway value. */
const MAX_VALUE_BYTES = 64 * 1024;
const ONE_DAY_MS = 24 * 60 * 60 * 1000;

export const BUCKETS: { readonly [B in BucketName]: BucketDeclaration } = {
  [KV_BUCKETS.incidents]: {
    // Five revisions per incident: an audit trail of its last lifecycle changes.
    history: 5,
    ttl_ms: 0,
    storage: 'file',
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'incident ledger',
  },
  [KV_BUCKETS.locks]: {
    // Only the current lease matters; its revision is the fencing token.
    history: 1,
    // Garbage-collects leases of crashed holders. Safe because a lease TTL is capped at
    // MAX_LEASE_TTL_MS (1 h) and every renew rewrites the entry. Watches do not see this
    // expiry, so leases carry their own expires_at.
    ttl_ms: ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 4 * 1024,
    description: 'per-service exclusive leases',
  },
  [KV_BUCKETS.heartbeats]: {
    history: 1,
    // A day-old heartbeat says "gone": dropping it keeps departed agents from lingering.
    ttl_ms: ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 4 * 1024,
    description: 'last heartbeat per agent',
  },
  [KV_BUCKETS.tickets]: {
    // The local tracker shows a ticket's recent transitions.
    history: 5,
    ttl_ms: 0,
    storage: 'file',
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'local tracker tickets',
  },
  [KV_BUCKETS.learning]: {
    history: 1,
    ttl_ms: 0,
    storage: 'file',
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'learned baselines and threshold suggestions',
  },
  [KV_BUCKETS.outbox]: {
    history: 1,
    // No TTL: an undeliverable alert must stay visible, never silently vanish.
    ttl_ms: 0,
    storage: 'file',
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'outbound side effects awaiting delivery',
  },
  [KV_BUCKETS.escalations]: {
    // Keeps the L1 → L2 → L3 steps of one escalation.
    history: 5,
    ttl_ms: 0,
    storage: 'file',
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'open escalations and their timers',
  },
  [KV_BUCKETS.sequences]: {
    // Only the current count matters; a CAS update on it hands out the next id exactly once.
    history: 1,
    // A day's counter is useless after the day; a week keeps it well clear of clock skew.
    ttl_ms: 7 * ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 1024,
    description: 'per-day incident id counters',
  },
  [KV_BUCKETS.remediations]: {
    // A few revisions of a run show how it progressed when debugging a stuck one.
    history: 5,
    // Runs and restart marks older than a week are history (the stream keeps the events).
    ttl_ms: 7 * ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'remediation runs (persisted state machine) and last restart per service',
  },
  [KV_BUCKETS.fingerprints]: {
    // Only the current open incident per fingerprint matters; CAS on it is the dedup.
    history: 1,
    // Entries outlive the dedup window (60 min by default) by far; a day cleans up stale ones.
    ttl_ms: ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 4 * 1024,
    description: 'open incident per fingerprint (dedup index)',
  },
};

export function bucketDeclaration(name: BucketName): BucketDeclaration {
  const declaration = BUCKETS[name];
  if (declaration === undefined) {
    throw new Error(`bus: unknown bucket "${String(name)}"`);
  }
  return declaration;
}
