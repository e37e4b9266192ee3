// Over ~300 lines: the bus's one declaration: every stream, durable consumer and bucket with its why, so a reader
// sees the whole topology in one place; the code that applies it lives in topology.provisioner.ts.
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

/**
 * Subject families the event stream captures (namespace-mapped at provisioning). Dead letters
 * are not among them: they have their own, smaller stream (DEAD_LETTER_STREAM_SUBJECTS).
 */
export const STREAM_SUBJECTS = [
  'incident.>',
  'remediation.>',
  'lock.>',
  'scenario.>',
  'heartbeat.>',
  'report.>',
  'agent.>',
  'audit.>',
  'command.>',
] as const;

/** What the dead-letter stream captures: every `deadletter.<consumer>` record. */
export const DEAD_LETTER_STREAM_SUBJECTS = ['deadletter.>'] as const;

/**
 * Events stay replayable for a week: a ledger or a score can be rebuilt after a
 * weekend outage, and a small single-node disk never fills (heartbeats alone are
 * ~4 agents × 1 per 15 s). No max_bytes: on 2.9 a byte limit reserves that much
 * of the JetStream store up front, which would starve test streams.
 */
export const STREAM_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The dead-letter stream (`DEADLETTERS`, `DEADLETTERS_<namespace>` when namespaced) keeps what
 * consumers set aside, apart from the event stream: a flood of bad messages can neither push
 * events out of the 7-day window nor grow it without bound. Oldest records go first (discard
 * old) once any limit is reached:
 * - 14 days: a dead letter waits for a human; it must outlive a week off plus a weekend. The
 *   record carries its payload (cut to 4 KiB), so it stands alone once the event stream has
 *   aged the original out.
 * - 10,000 records: consumers store at most a few records per kind and minute and count the rest
 *   (dead-letter.sampler.ts), so this is days of a sustained, varied attack, and a human reads
 *   the first ones anyway.
 * - 32 MiB: on NATS 2.9 a stream's max_bytes is reserved from the JetStream store when the
 *   stream is created, used or not. 32 MiB lets ~60 namespaced test or bench buses share the
 *   2 GB store of deploy/nats/nats.conf; 10,000 records of a typical ~1 KiB fit in it.
 * - 64 KiB per record: the raw payload is at most 4 KiB of UTF-8, which JSON escaping can
 *   grow six-fold (control characters as \\u00XX); anything larger is not one of ours.
 */
export const DEAD_LETTER_STREAM_LIMITS = {
  max_age_ms: 14 * 24 * 60 * 60 * 1000,
  max_msgs: 10_000,
  max_bytes: 32 * 1024 * 1024,
  max_msg_size: 64 * 1024,
} as const;

/** The two streams: `events` (OPS) and `deadletters` (DEADLETTERS). */
export type StreamRole = 'events' | 'deadletters';

/**
 * Which event field orders a consumer's handling: messages with the same value are handled one
 * after another in stream order, different values in parallel (up to `concurrency`).
 */
export type OrderKey = 'incident_id' | 'service';

export type DeliverFrom = 'all' | 'new';

export interface ConsumerDeclaration {
  /** Durable name (per stream, so not namespaced). */
  readonly durable: string;
  /**
   * Logical filter subject; one filter only (multi-filter needs 2.10). On the wire a family
   * filter (`incident.>`) stays as it is, an exact one gets the publisher token every crew
   * publish carries (`incident.detected` → `incident.detected.*`, see consumerWireFilter).
   */
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
  /**
   * Messages a client asks for per pull. Every message is taken off the pull at once: an
   * invalid one is dead-lettered on the spot, a valid one waits for a handler slot with
   * in-progress pings, so a big batch never ages past ack_wait and one pull round trip is
   * shared by many messages.
   */
  readonly pull_batch: number;
  /**
   * Valid messages handled at once by one process. Invalid ones never take a slot: they are
   * dead-lettered as they arrive, whatever the handlers are doing.
   */
  readonly concurrency: number;
  /** Serialises handling per value of this field (stream order kept per key); none: unordered. */
  readonly order_by?: OrderKey;
  /** The stream the consumer reads (default `events`). */
  readonly stream?: StreamRole;
  /**
   * Logical subjects inside the filter this consumer acks without parsing or handling (NATS 2.9
   * has one filter per consumer, so a family filter also delivers subjects it does not want).
   */
  readonly ignores?: readonly EventSubject[];
}

/**
 * `incident.reported` is intake, not lifecycle: only ops-monitor's `ops-monitor-reports` reads it
 * (and dead-letters a bad one, once). Every other consumer of the `incident.>` family acks it
 * unread — no handler call, no ledger entry, and no second dead letter for the same bad report.
 */
const NOT_LIFECYCLE = [SUBJECTS.incidentReported] as const;

/**
 * The incident lifecycle: what ops-monitor-reports, reading the whole `incident.>` family to get
 * `incident.reported` both bare (outside systems) and attributed (`.reporter`, `.cli`,
 * `.ops-monitor`), acks unread.
 */
const LIFECYCLE = [
  SUBJECTS.incidentDetected,
  SUBJECTS.incidentUpdated,
  SUBJECTS.incidentResolved,
  SUBJECTS.incidentEscalated,
] as const;

/**
 * Unacked messages one consumer may have in hand (server-side, across its processes): far
 * above what an agent handles per second, and a bound on what piles up (and is redelivered)
 * when a handler stalls. It is NOT how many run at once (that is `concurrency`, per process):
 * it must leave room for a burst of bad messages to flow past the ones being handled, so it is
 * never as small as the handler concurrency.
 */
const MAX_ACK_PENDING = 512;

/**
 * Messages per pull: 128 shares one pull round trip among many messages (a flood of 10,000 bad
 * ones is ~80 pulls; measured on 2 cores, 128 in a batch with 512 in hand drained a backlog
 * faster than 64/256 or 256/1024). Nothing waits in the client's buffer: the loop takes each
 * message the moment it arrives.
 */
const PULL_BATCH = 128;

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
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // Remediations touch shared runtime: at most 4 incidents handled at once per process (the
    // rest wait in hand, pinged). Bad messages take none of these slots, so a flood of them
    // cannot hold a real incident back.
    concurrency: 4,
    // A redelivery of an incident still being handled waits for the first attempt.
    order_by: 'incident_id',
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
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // A re-attempt is a CAS on the incident's run: updates of one incident in stream order,
    // different incidents side by side.
    concurrency: 8,
    order_by: 'incident_id',
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
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // Waking the worker is idempotent and order-free.
    concurrency: 8,
  },
  'atlas-ledger': {
    durable: 'atlas-ledger',
    filter: 'incident.>',
    description: 'atlas follows every incident lifecycle change (SLOs, postmortems, ChatOps)',
    deliver: 'all',
    // Ledger writes are a KV put or two: 30 s is generous.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // The ledger checks each lifecycle step against the incident's phase: one incident's events
    // must land in stream order (detected before updated before resolved). Incidents are
    // independent records (CAS per key), so 8 of them are written side by side.
    concurrency: 8,
    order_by: 'incident_id',
    ignores: NOT_LIFECYCLE,
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
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // One model call at a time is plenty: incidents end minutes apart, and a burst can queue
    // (pinged). A later end of the same incident rewrites the draft, so order matters too.
    concurrency: 1,
    ignores: NOT_LIFECYCLE,
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
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // In-memory and microseconds each: one at a time keeps an agent's latest heartbeat last.
    concurrency: 1,
  },
  'atlas-reports': {
    durable: 'atlas-reports',
    filter: 'report.>',
    description: 'atlas forwards reports to the notifier',
    deliver: 'all',
    // The notifier is rate limited (Discord 5/min): a send may wait its turn.
    ack_wait_ms: 120_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // More in hand would only wait on the notifier's rate limit (pinged, but redelivered in bulk
    // after a crash).
    max_ack_pending: 64,
    // Half of what it may hold: the next pull is on its way while this batch is sorted.
    pull_batch: 32,
    // The notifier's rate limit serialises sends anyway; reports go out in the order written.
    concurrency: 1,
  },
  'atlas-deadletters': {
    durable: 'atlas-deadletters',
    filter: 'deadletter.>',
    description: 'atlas surfaces dead letters to humans',
    deliver: 'all',
    // Dead letters have their own stream (DEAD_LETTER_STREAM_LIMITS).
    stream: 'deadletters',
    // Surfacing goes through the rate-limited notifier, like reports.
    ack_wait_ms: 60_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // Dead letters are sampled at the source; a handful in hand keeps the notifier's queue short.
    max_ack_pending: 64,
    // Half of what it may hold: the next pull is on its way while this batch is sorted.
    pull_batch: 32,
    // Surfaced in the order they were set aside, through the one rate-limited notifier.
    concurrency: 1,
  },
  'demo-controller-incidents': {
    durable: 'demo-controller-incidents',
    filter: 'incident.>',
    description: 'demo-controller scores detection latency, false positives and missed alerts',
    deliver: 'all',
    // Scoring is an in-memory update plus a KV write: 30 s is generous.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // Scoring read-modify-writes the open run's record (incidents of all services land in one
    // run, a resolution looks up the detection): strictly one event after another.
    concurrency: 1,
    ignores: NOT_LIFECYCLE,
  },
  'demo-controller-remediations': {
    durable: 'demo-controller-remediations',
    filter: 'remediation.>',
    description: 'demo-controller scores resolution time',
    deliver: 'all',
    // Same work as scoring incidents.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // Same run records as scoring incidents (started before finished): one after another.
    concurrency: 1,
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
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // A release must find its acquisition: one after another, like the other scoring consumers.
    concurrency: 1,
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
    // Half of what it may hold: the next pull is on its way while this batch is sorted.
    pull_batch: 32,
    // A window opens before it closes: one after another.
    concurrency: 1,
  },
  'ops-monitor-reports': {
    durable: 'ops-monitor-reports',
    // The family, not `incident.reported`: one NATS 2.9 filter cannot match both the bare subject
    // outside systems publish and the attributed `incident.reported.<user>` of the crew's users.
    // The lifecycle subjects it also delivers are acked unread.
    filter: 'incident.>',
    description:
      'ops-monitor folds reports from outside the crew (NATS clients, the CLI, Alertmanager) into incidents',
    // A report made while ops-monitor was down is still folded when it comes back: nothing
    // reported is lost (the subject is new, so a first start finds no backlog to replay).
    deliver: 'all',
    // A fold is a KV read and a CAS write; an opening adds the ledger, incident.detected and two
    // outbox entries: well under a second, so 30 s covers a slow KV round trip many times over.
    ack_wait_ms: 30_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // 256 in hand bounds what a storm redelivers after a crash, and is far above what one
    // process folds per second.
    max_ack_pending: MAX_ACK_PENDING,
    pull_batch: PULL_BATCH,
    // A firing report and its resolution must fold in the order sent: one service's reports one
    // after another; other services side by side (they meet only in CAS-guarded buckets).
    concurrency: 4,
    order_by: 'service',
    ignores: LIFECYCLE,
  },
  'jira-resolver-commands': {
    durable: 'jira-resolver-commands',
    filter: SUBJECTS.commandRestart,
    description:
      "jira-resolver runs a human's /restart through the same guardrails as a runbook restart",
    // A command older than its asker's patience is still run once (the answer says when): an
    // ack lost to a crash must not drop a restart someone asked for; the run is keyed on the
    // request id, so a redelivery never restarts twice.
    deliver: 'all',
    // A restart waits for the runtime (a container restart takes seconds, the local process
    // supervisor up to its start timeout); in-progress pings cover a slower one.
    ack_wait_ms: 60_000,
    max_deliver: MAX_DELIVER_DEFAULT,
    // Humans type commands a few per hour.
    max_ack_pending: 64,
    pull_batch: 32,
    // One service's commands one after another (the lease would make a second wait anyway);
    // different services side by side.
    concurrency: 2,
    order_by: 'service',
  },
  'atlas-command-results': {
    durable: 'atlas-command-results',
    filter: SUBJECTS.commandResult,
    description: 'atlas hands command results to the ChatOps replies waiting for them',
    // Only answers to questions asked from now on have a waiter; older ones are in the audit.
    deliver: 'new',
    // Resolving a waiter is a map lookup.
    ack_wait_ms: 10_000,
    // A result without a waiter (another atlas, a timeout) is acked and dropped: no retrying.
    max_deliver: 3,
    max_ack_pending: 64,
    pull_batch: 32,
    concurrency: 4,
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

/** The subjects a declared consumer acks unread (its `ignores`). */
type IgnoredBy<N extends ConsumerName> = (typeof CONSUMERS)[N] extends {
  ignores: readonly (infer S)[];
}
  ? S
  : never;

/** The event type a declared consumer's handler receives (its ignored subjects never reach it). */
export type ConsumedEvent<N extends ConsumerName> = [IgnoredBy<N>] extends [never]
  ? EventsMatching<(typeof CONSUMERS)[N]['filter']>
  : Exclude<
      EventsMatching<(typeof CONSUMERS)[N]['filter']>,
      EventOf<Extract<IgnoredBy<N>, EventSubject>>
    >;

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
  /**
   * The key of the bucket's due index (KvDueIndex): what needs work and when, read once a tick
   * instead of every key. Beside the bucket's own keys, so the same grant covers it.
   */
  readonly due_index_key?: string;
}

/**
 * The due index's key where a bucket has one: `_` starts no key of ours otherwise (incident ids,
 * `run.`, `restart.`, `ticket.`), so it never collides with an item.
 */
export const DUE_INDEX_KEY = '_due';

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
    // Open chains by their next deadline (or a pending marker's takeover time).
    due_index_key: DUE_INDEX_KEY,
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
    // Active runs by when they next need a step; finished runs drop out of it.
    due_index_key: DUE_INDEX_KEY,
  },
  [KV_BUCKETS.fingerprints]: {
    // Only the current open incident per fingerprint matters; CAS on it is the dedup.
    history: 1,
    // Entries outlive the dedup window (60 min by default) by far; a day cleans up stale ones.
    ttl_ms: ONE_DAY_MS,
    storage: 'file',
    // A detail (≤ 2000 characters) plus the correlation lists of reports: 20 dedup keys of up
    // to 255 characters, 20 reporters, 32 report ids of up to 128: ~12 KiB at the very worst.
    max_value_bytes: 16 * 1024,
    description: 'open incident per fingerprint (dedup index)',
  },
  [KV_BUCKETS.lifecycle]: {
    // Only the current history per agent matters (its restarts inside the loop window).
    history: 1,
    // A history untouched for a week is far outside any restart-loop window (at most a week).
    ttl_ms: 7 * ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 8 * 1024,
    description: "atlas's restart history per agent (restart-loop window)",
  },
  [KV_BUCKETS.capacity]: {
    // Only the current history matters: each write carries the whole bounded series.
    history: 1,
    // The series bound themselves (history_days); a service no longer watched keeps its last
    // history, which is small and may be wanted for a while.
    ttl_ms: 0,
    storage: 'file',
    // A key holds ≤ CAPACITY_HISTORY_MAX_POINTS points of ~30 bytes: 45 KiB at most.
    max_value_bytes: MAX_VALUE_BYTES,
    description: 'downsampled CPU, memory and request-rate history per service (capacity forecast)',
  },
  [KV_BUCKETS.slo]: {
    // Only the current counts matter; CAS on them keeps two replicas from losing each other's.
    history: 1,
    // No TTL: the counts are the error budget's only record; a quiet service keeps its window.
    ttl_ms: 0,
    storage: 'file',
    // One service's sparse rows: at most 1440 minute rows and 720 coarse rows of 7 numbers
    // (~60 B each as JSON): ~130 KiB at the very worst, ~60 KiB for 6 h + 30 days of hours.
    max_value_bytes: 256 * 1024,
    description: 'SLI counts per service in time buckets (error budgets)',
  },
  [KV_BUCKETS.silences]: {
    // Only the current window per service matters.
    history: 1,
    // Bucket-level TTL only on 2.9: every entry carries its `until` and readers treat a past one
    // as gone; the TTL (longer than the longest window, 7 d) only sweeps what nobody cleaned up.
    ttl_ms: 8 * ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 4 * 1024,
    description: 'maintenance windows per service (/silence): no tickets or restarts',
  },
  [KV_BUCKETS.leaders]: {
    // Only the current leader matters; its revision is the fencing token.
    history: 1,
    // Sweeps the record of an agent that is gone for good (a leader rewrites its entry every
    // ttl/3, at most every 100 s: MAX_LEADER_TTL_MS). Watches do not see this expiry, so every
    // record carries its own expires_at.
    ttl_ms: ONE_DAY_MS,
    storage: 'file',
    max_value_bytes: 1024,
    description: "each agent's leader replica (once-only work)",
  },
  [KV_BUCKETS.interactions]: {
    // Only whether an interaction id was seen matters.
    history: 1,
    // Twice the replay window (5 min): a request older than the window is refused by its
    // timestamp anyway, so its id needs remembering no longer.
    ttl_ms: 10 * 60 * 1000,
    storage: 'file',
    max_value_bytes: 512,
    description: 'Discord interaction ids already answered (replay protection across replicas)',
  },
};

export function bucketDeclaration(name: BucketName): BucketDeclaration {
  const declaration = BUCKETS[name];
  if (declaration === undefined) {
    throw new Error(`bus: unknown bucket "${String(name)}"`);
  }
  return declaration;
}
