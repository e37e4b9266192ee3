import {
  AGENT_NAMES,
  type AgentName,
  auditSubject,
  type BucketName,
  BUCKET_NAMES,
  deadLetterSubject,
  heartbeatSubject,
  KV_BUCKETS,
  SUBJECTS,
} from '@opscrew/contracts';
import { type SubjectMapper } from './subject-mapper';
import { bucketStreamName } from './topology.provisioner';
import { CONSUMER_NAMES, type ConsumerName } from './topology';

/** A NATS user of the crew: one per agent, and the CLI (`opscrew incident inject|ack`). */
export type BusUser = AgentName | 'cli';
export const BUS_USERS: readonly BusUser[] = [...AGENT_NAMES, 'cli'];

/**
 * What a user may do with a bucket's data: `read` (get, list, watch), `write`
 * (read + put/create/update/delete), `own-key` (put only the key named after the
 * user: an agent writes its own heartbeat and nobody else's).
 */
export type BucketAccess = 'read' | 'write' | 'own-key';

export interface BusGrant {
  /** Logical event subjects (or `family.>`) the user publishes. */
  readonly publishes: readonly string[];
  /** Durable consumers the user pulls from and acks (and dead-letters for). */
  readonly consumes: readonly ConsumerName[];
  /** Buckets whose data the user touches. */
  readonly buckets: Readonly<Partial<Record<BucketName, BucketAccess>>>;
}

/**
 * Who may publish what (DESIGN.md "Security": a NATS user per agent whose
 * permissions allow only what it publishes and consumes). Kept in step with the
 * code: each entry lists the `publisher.publish(…)` calls of that app and the
 * libraries it runs (heartbeats, audit, dead letters); bus-permissions.spec.ts
 * checks the table against the topology and the contracts.
 */
export const BUS_GRANTS: { readonly [U in BusUser]: BusGrant } = {
  atlas: {
    // liveness.service (agent.stale), report-writer (report.liveness and the reports it writes),
    // the MCP endpoint and postmortem drafts (audit.atlas; reads locks). Its `ack_incident` tool, off unless
    // mcp_server.allow_ack, does what `incident ack` does: incident.updated, the escalation
    // record and the chain owner's audit subject — granted statically, gated in code.
    publishes: [
      SUBJECTS.agentStale,
      'report.>',
      auditSubject('atlas'),
      SUBJECTS.incidentUpdated,
      auditSubject('jira-resolver'),
    ],
    consumes: [
      'atlas-ledger',
      'atlas-postmortems',
      'atlas-heartbeats',
      'atlas-reports',
      'atlas-deadletters',
    ],
    buckets: {
      [KV_BUCKETS.heartbeats]: 'read',
      [KV_BUCKETS.incidents]: 'write',
      [KV_BUCKETS.locks]: 'read',
      [KV_BUCKETS.escalations]: 'write',
    },
  },
  'ops-monitor': {
    // incident-manager (detected, updated), daily report and report.data-quality, and its
    // audit log (model runs and their tool calls).
    publishes: [
      SUBJECTS.incidentDetected,
      SUBJECTS.incidentUpdated,
      'report.>',
      auditSubject('ops-monitor'),
    ],
    consumes: ['ops-monitor-scenarios'],
    buckets: {
      [KV_BUCKETS.incidents]: 'write',
      [KV_BUCKETS.sequences]: 'write',
      [KV_BUCKETS.fingerprints]: 'write',
      [KV_BUCKETS.tickets]: 'write',
      [KV_BUCKETS.outbox]: 'write',
      // Locks only tell it which anomalies are deliberate; the learning bucket holds
      // demo-controller's accuracy feedback. It changes neither.
      [KV_BUCKETS.locks]: 'read',
      [KV_BUCKETS.learning]: 'read',
    },
  },
  'jira-resolver': {
    // todo-ticket poller (detected), remediation engine and restart action (updated, resolved,
    // remediation.*, lock.*), escalation service (escalated), its audit log.
    publishes: [
      SUBJECTS.incidentDetected,
      SUBJECTS.incidentUpdated,
      SUBJECTS.incidentResolved,
      SUBJECTS.incidentEscalated,
      SUBJECTS.remediationStarted,
      SUBJECTS.remediationFinished,
      SUBJECTS.lockAcquired,
      SUBJECTS.lockReleased,
      auditSubject('jira-resolver'),
    ],
    consumes: ['jira-resolver-incidents', 'jira-resolver-reopened', 'jira-resolver-locks'],
    buckets: {
      [KV_BUCKETS.incidents]: 'write',
      [KV_BUCKETS.sequences]: 'write',
      [KV_BUCKETS.locks]: 'write',
      [KV_BUCKETS.tickets]: 'write',
      [KV_BUCKETS.outbox]: 'write',
      [KV_BUCKETS.escalations]: 'write',
      [KV_BUCKETS.remediations]: 'write',
    },
  },
  'demo-controller': {
    // scenario runner (scenario.*), service lock set (lock.*), weekly report.
    publishes: [
      SUBJECTS.scenarioStarted,
      SUBJECTS.scenarioFinished,
      SUBJECTS.lockAcquired,
      SUBJECTS.lockReleased,
      'report.>',
    ],
    consumes: [
      'demo-controller-incidents',
      'demo-controller-remediations',
      'demo-controller-locks',
    ],
    buckets: { [KV_BUCKETS.locks]: 'write', [KV_BUCKETS.learning]: 'write' },
  },
  cli: {
    // `incident inject` (detected, with an id from `sequences`); `incident ack` (updated, the
    // escalation record, and its audit entry on jira-resolver's audit subject, the chain's owner);
    // `opscrew mcp` (reads locks and heartbeats, audits as atlas, whose tools it serves).
    publishes: [
      SUBJECTS.incidentDetected,
      SUBJECTS.incidentUpdated,
      auditSubject('jira-resolver'),
      auditSubject('atlas'),
    ],
    consumes: [],
    buckets: {
      [KV_BUCKETS.incidents]: 'read',
      [KV_BUCKETS.sequences]: 'write',
      [KV_BUCKETS.escalations]: 'write',
      [KV_BUCKETS.locks]: 'read',
      [KV_BUCKETS.heartbeats]: 'read',
    },
  },
};

export interface UserPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/** JetStream's API prefix (no JetStream domain in this deployment). */
const API = '$JS.API';

/**
 * The wire subjects a user may publish and subscribe to, for one bus (its
 * namespace and stream). Everything not listed is denied by the server.
 */
export function userPermissions(user: BusUser, mapper: SubjectMapper): UserPermissions {
  const grant = BUS_GRANTS[user];
  const stream = mapper.stream();
  const publish: string[] = [];

  // 1. Its own events: the table above, plus what every process of that kind does anyway.
  const events = [...grant.publishes];
  if (user !== 'cli') events.push(heartbeatSubject(user));
  for (const consumer of grant.consumes) events.push(deadLetterSubject(consumer));
  publish.push(...events.map((subject) => mapper.toWire(subject)));

  // 2. Provisioning. Every agent and the CLI make the declared topology exist at start
  // (provisionAll: idempotent create/update of the stream, ALL declared consumers and ALL
  // buckets; any process may be the first one up). So each may read and create/update
  // exactly those streams and durables, by name; never delete one, never another stream,
  // never an ephemeral consumer on the event stream (which could read past its grant).
  publish.push(`${API}.INFO`);
  const streams = [stream, ...BUCKET_NAMES.map((b) => bucketStreamName(mapper.bucket(b)))];
  for (const name of streams) {
    publish.push(`${API}.STREAM.INFO.${name}`, `${API}.STREAM.CREATE.${name}`);
    publish.push(`${API}.STREAM.UPDATE.${name}`);
  }
  for (const durable of CONSUMER_NAMES) {
    publish.push(
      `${API}.CONSUMER.INFO.${stream}.${durable}`,
      // 2.9+ clients: CONSUMER.CREATE.<stream>.<name>.<filter>; older: DURABLE.CREATE.
      `${API}.CONSUMER.CREATE.${stream}.${durable}`,
      `${API}.CONSUMER.CREATE.${stream}.${durable}.>`,
      `${API}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    );
  }

  // 3. Pulling and acking its own durables only: MSG.NEXT requests a batch, the
  // messages carry `$JS.ACK.<stream>.<durable>.…` reply subjects for ack/nak/term.
  for (const durable of grant.consumes) {
    publish.push(`${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`, `$JS.ACK.${stream}.${durable}.>`);
  }

  // 4. Bucket data. Puts, creates (CAS on sequence 0), updates and deletes are all JetStream
  // publishes to `$KV.<bucket>.<key>`, so writing is a subject grant. Reading is not: a get is
  // a `STREAM.MSG.GET` request on the bucket's stream (KvFactory binds with allow_direct off,
  // so no DIRECT.GET), a listing an ordered consumer created on that stream and fed through
  // flow control (`$JS.FC.<stream>.>`). Those grants are per bucket, not per key: NATS
  // cannot scope a read request to a key, so `own-key` users (heartbeats) get no read at all.
  for (const [bucket, access] of grantedBuckets(user, grant)) {
    const wire = mapper.bucket(bucket);
    const kvStream = bucketStreamName(wire);
    if (access === 'own-key') {
      publish.push(`$KV.${wire}.${user}`);
      continue;
    }
    if (access === 'write') publish.push(`$KV.${wire}.>`);
    publish.push(
      `${API}.STREAM.MSG.GET.${kvStream}`,
      `${API}.CONSUMER.CREATE.${kvStream}`,
      `${API}.CONSUMER.CREATE.${kvStream}.>`,
      `$JS.FC.${kvStream}.>`,
    );
  }

  // Replies (JetStream API answers, publish acks, pulled messages, KV listings) all arrive
  // on the client's `_INBOX.>`; nothing is subscribed directly on an event subject.
  return { publish: unique(publish), subscribe: ['_INBOX.>'] };
}

/** The grant's buckets, plus writing its own heartbeat (every agent, heartbeat.service). */
function grantedBuckets(user: BusUser, grant: BusGrant): [BucketName, BucketAccess][] {
  const entries = Object.entries(grant.buckets) as [BucketName, BucketAccess][];
  if (user === 'cli' || grant.buckets[KV_BUCKETS.heartbeats] === 'write') return entries;
  return [...entries, [KV_BUCKETS.heartbeats, 'own-key']];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
