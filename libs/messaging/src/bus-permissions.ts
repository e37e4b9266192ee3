// Over ~300 lines: the per-user grant table (who publishes, consumes and writes what, with why) and its one
// translation into NATS permissions; the table is most of it.
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
import { type BusUser } from './bus-user';
import {
  attributedSubject,
  UNATTRIBUTED_PUBLISHER,
  UNATTRIBUTED_SUBJECTS,
} from './publisher-subject';
import { type SubjectMapper } from './subject-mapper';
import { bucketStreamName, consumerStream } from './topology.provisioner';
import { CONSUMER_NAMES, CONSUMERS, type ConsumerName } from './topology';

export { type BusUser, BUS_USERS, isBusUser } from './bus-user';

/** The user `opscrew bus provision` connects as (its password: NATS_PASSWORD_ADMIN). */
export const ADMIN_USER = 'admin' satisfies BusUser;

function isAgent(user: BusUser): user is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(user);
}

/**
 * What a user may do with a bucket's data: `read` (get, list, watch), `write`
 * (read + put/create/update/delete), `own-key` (put only the keys `<user>.<token>`: every
 * replica of an agent writes its own heartbeat `<agent>.<replica>`, and nobody else's).
 * `own-keys`: read the bucket, write only `<user>` and `<user>.<…>` (an agent's leader leases,
 * which it must read to judge a rival's expiry but may never take for another agent).
 */
export type BucketAccess = 'read' | 'write' | 'own-key' | 'own-keys';

export interface BusGrant {
  /** Logical event subjects (or `family.>`) the user publishes. */
  readonly publishes: readonly string[];
  /** Durable consumers the user pulls from and acks (and dead-letters for). */
  readonly consumes: readonly ConsumerName[];
  /** Buckets whose data the user touches. */
  readonly buckets: Readonly<Partial<Record<BucketName, BucketAccess>>>;
  /**
   * Whether it uses the JetStream API on the declared topology at all: every crew process
   * reads it (verifies at start that its stream, durables and buckets exist, binds, pulls);
   * a reporter never does — it publishes into a stream the crew made, and nothing else.
   * (Named for what it once meant; see `manages` for who makes the topology.)
   */
  readonly provisions: boolean;
  /**
   * Whether it creates and updates the declared streams, durables and buckets: the admin
   * user only (`opscrew bus provision`). Everybody else verifies and uses them: a user who
   * could update a stream could truncate it, and one who could (re)create a durable could
   * retarget another agent's consumer to a subject that never fires.
   */
  readonly manages: boolean;
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
    // liveness.service (agent.stale, agent.restarted), report-writer (report.liveness and the reports it writes),
    // the MCP endpoint and postmortem drafts (audit.atlas; reads locks). Its `ack_incident` tool, off unless
    // mcp_server.allow_ack, does what `incident ack` does: incident.updated, the escalation
    // record and the chain owner's audit subject — granted statically, gated in code.
    publishes: [
      SUBJECTS.agentStale,
      // lifecycle: what it did about a stale agent's runtime (restarted, failed, gave up).
      SUBJECTS.agentRestarted,
      'report.>',
      auditSubject('atlas'),
      SUBJECTS.incidentUpdated,
      auditSubject('jira-resolver'),
      // ChatOps `/restart`: the request; jira-resolver runs it and answers on command.result.
      SUBJECTS.commandRestart,
    ],
    consumes: [
      'atlas-ledger',
      'atlas-postmortems',
      'atlas-heartbeats',
      'atlas-reports',
      'atlas-deadletters',
      'atlas-command-results',
    ],
    buckets: {
      // Write, not own-key: it prunes the keys of replicas long gone (CAS deletes, liveness).
      [KV_BUCKETS.heartbeats]: 'write',
      [KV_BUCKETS.incidents]: 'write',
      [KV_BUCKETS.locks]: 'read',
      [KV_BUCKETS.escalations]: 'write',
      // Enqueue only: stale and recovered agents become notifications (ops-monitor's and
      // jira-resolver's workers deliver them).
      [KV_BUCKETS.outbox]: 'write',
      // Its restart history per agent (lifecycle/restart-history.store.ts).
      [KV_BUCKETS.lifecycle]: 'write',
      // GET /forecast reads the capacity history ops-monitor records.
      [KV_BUCKETS.capacity]: 'read',
      // GET /slo and the slo-daily report read ops-monitor's SLI counts.
      [KV_BUCKETS.slo]: 'read',
      // ChatOps `/silence` opens and ends maintenance windows.
      [KV_BUCKETS.silences]: 'write',
      // Discord replay protection shared by every atlas replica (create-if-absent per interaction).
      [KV_BUCKETS.interactions]: 'write',
    },
    provisions: true,
    manages: false,
  },
  'ops-monitor': {
    // incident-manager (detected, updated), the Alertmanager webhook (reported, folded back
    // through its own consumer), daily report and report.data-quality, and its audit log
    // (model runs and their tool calls).
    publishes: [
      SUBJECTS.incidentReported,
      SUBJECTS.incidentDetected,
      SUBJECTS.incidentUpdated,
      'report.>',
      auditSubject('ops-monitor'),
    ],
    consumes: ['ops-monitor-scenarios', 'ops-monitor-reports'],
    buckets: {
      [KV_BUCKETS.incidents]: 'write',
      [KV_BUCKETS.sequences]: 'write',
      [KV_BUCKETS.fingerprints]: 'write',
      [KV_BUCKETS.tickets]: 'write',
      [KV_BUCKETS.outbox]: 'write',
      // Read: its AtlasWatcher (who watches the watcher); it writes only its own heartbeat.
      [KV_BUCKETS.heartbeats]: 'read',
      // Locks only tell it which anomalies are deliberate: it never changes them. In the learning
      // bucket it reads demo-controller's accuracy feedback and writes only its own keys
      // (`ops-monitor.drift.<service>.<metric>`: what its drift detectors learned, and
      // `ops-monitor.usual.<service>`: its services' usual levels, both for a takeover).
      [KV_BUCKETS.locks]: 'read',
      [KV_BUCKETS.learning]: 'own-keys',
      // The capacity history it downsamples from its cycles (capacity forecast).
      [KV_BUCKETS.capacity]: 'write',
      // Its SLI counts per service (error budgets), written by CAS.
      [KV_BUCKETS.slo]: 'write',
      // A silenced service's anomalies are recorded, never ticketed.
      [KV_BUCKETS.silences]: 'read',
    },
    provisions: true,
    manages: false,
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
      'report.>',
      auditSubject('jira-resolver'),
      // The answer to a human's /restart.
      SUBJECTS.commandResult,
    ],
    consumes: [
      'jira-resolver-incidents',
      'jira-resolver-reopened',
      'jira-resolver-locks',
      'jira-resolver-commands',
    ],
    buckets: {
      [KV_BUCKETS.incidents]: 'write',
      [KV_BUCKETS.sequences]: 'write',
      [KV_BUCKETS.locks]: 'write',
      [KV_BUCKETS.tickets]: 'write',
      [KV_BUCKETS.outbox]: 'write',
      [KV_BUCKETS.escalations]: 'write',
      [KV_BUCKETS.remediations]: 'write',
      // Never an automatic restart of a silenced service.
      [KV_BUCKETS.silences]: 'read',
      // Read: its AtlasWatcher (who watches the watcher); it writes only its own heartbeat.
      [KV_BUCKETS.heartbeats]: 'read',
    },
    provisions: true,
    manages: false,
  },
  'demo-controller': {
    // scenario runner (scenario.*), service lock set (lock.*), weekly report, its audit log
    // (scenarios, locks, flags and faults).
    publishes: [
      SUBJECTS.scenarioStarted,
      SUBJECTS.scenarioFinished,
      SUBJECTS.lockAcquired,
      SUBJECTS.lockReleased,
      'report.>',
      auditSubject('demo-controller'),
    ],
    consumes: [
      'demo-controller-incidents',
      'demo-controller-remediations',
      'demo-controller-locks',
    ],
    buckets: {
      [KV_BUCKETS.locks]: 'write',
      [KV_BUCKETS.learning]: 'write',
      // Enqueue only: the notice of a stale atlas (its AtlasWatcher), which reads the heartbeats.
      [KV_BUCKETS.outbox]: 'write',
      [KV_BUCKETS.heartbeats]: 'read',
      // The weekly report's capacity section reads the history ops-monitor records.
      [KV_BUCKETS.capacity]: 'read',
    },
    provisions: true,
    manages: false,
  },
  cli: {
    // `incident inject` (reported; `--wait` reads the ledger for the incident it joined — the
    // crew mints ids, the CLI never does); `incident ack` (updated, the escalation record, and
    // its audit entry on jira-resolver's audit subject, the chain's owner); `opscrew mcp` (reads
    // locks and heartbeats, audits as atlas, whose tools it serves).
    publishes: [
      SUBJECTS.incidentReported,
      SUBJECTS.incidentUpdated,
      auditSubject('jira-resolver'),
      auditSubject('atlas'),
    ],
    consumes: [],
    buckets: {
      [KV_BUCKETS.incidents]: 'read',
      [KV_BUCKETS.escalations]: 'write',
      [KV_BUCKETS.locks]: 'read',
      [KV_BUCKETS.heartbeats]: 'read',
      // `opscrew demo --local-nats` watches the run's tickets (its scorecard) as this user.
      [KV_BUCKETS.tickets]: 'read',
    },
    provisions: true,
    manages: false,
  },
  reporter: {
    // Anything outside the crew (a probe, a CI job, a bridge): `incident.reported` only — the
    // crew decides what it means. No provisioning, no buckets, no consumers; a JetStream
    // publish's ack comes back on its `_INBOX.>`, the only subscription it has.
    publishes: [SUBJECTS.incidentReported],
    consumes: [],
    buckets: {},
    provisions: false,
    manages: false,
  },
  admin: {
    // `opscrew bus provision` (a one-shot step before the agents start: the embedded start and
    // demo, the compose `provision` service, a Kubernetes Job): creates and updates the
    // declared topology; publishes no event, pulls no consumer, touches no bucket's data.
    publishes: [],
    consumes: [],
    buckets: {},
    provisions: true,
    manages: true,
  },
};

/**
 * The logical subjects (or `family.>`) a user publishes: its grant, plus what every process of
 * that kind does anyway (an agent's heartbeat, the dead letters of the consumers it runs). The
 * one list behind both the server's permissions and the receiving side's source table
 * (publisher-identity.ts).
 */
export function ownEvents(user: BusUser): string[] {
  const grant = BUS_GRANTS[user];
  const events = [...grant.publishes];
  if (isAgent(user)) events.push(heartbeatSubject(user));
  for (const consumer of grant.consumes) events.push(deadLetterSubject(consumer));
  return events;
}

/**
 * `<logical>.<user>`. A family grant `report.>` becomes `report.*.<user>`: `>` must end a NATS
 * subject, and a family subject is `<family>.<one token>` (reportSubject and the like check it).
 */
function ownSubject(subject: string, user: BusUser): string {
  const family = subject.endsWith('.>') ? `${subject.slice(0, -2)}.*` : subject;
  return attributedSubject(family, user);
}

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

  // 1. Its own events, each only on `<logical>.<itself>` (publisher-subject.ts: the subject's
  // last token is who sent it, so a user may not publish on another's). The reporter also
  // publishes the bare `incident.reported` outside systems always sent (unattributed).
  publish.push(...ownEvents(user).map((subject) => mapper.toWire(ownSubject(subject, user))));
  if (user === UNATTRIBUTED_PUBLISHER)
    publish.push(...UNATTRIBUTED_SUBJECTS.map((s) => mapper.toWire(s)));
  if (!grant.provisions) {
    // A publish-only user: no JetStream API at all (the publish ack is a reply to its inbox).
    return { publish: unique(publish), subscribe: ['_INBOX.>'] };
  }

  // 2. The topology. The admin user alone makes it (provisionAll: idempotent create/update of
  // the streams, ALL declared durables and ALL buckets' streams, by name; never a delete, never
  // another stream, never an ephemeral consumer on the event stream, which could read past
  // any grant). Everybody else may only look: `$JS.API.INFO` (the client's JetStream check),
  // STREAM.INFO on the crew's streams (verify at start, bind buckets, list keys) and
  // CONSUMER.INFO on its own durables (verify, then pull) — no STREAM.CREATE/UPDATE, no
  // CONSUMER.CREATE on a durable: an agent can neither truncate a stream nor retarget another
  // agent's consumer.
  publish.push(`${API}.INFO`);
  const streams = [
    stream,
    mapper.deadLetterStream(),
    ...BUCKET_NAMES.map((b) => bucketStreamName(mapper.bucket(b))),
  ];
  for (const name of streams) {
    publish.push(`${API}.STREAM.INFO.${name}`);
    if (grant.manages) publish.push(`${API}.STREAM.CREATE.${name}`, `${API}.STREAM.UPDATE.${name}`);
  }
  const durables = grant.manages ? CONSUMER_NAMES : grant.consumes;
  for (const durable of durables) {
    // Each durable on the stream it reads: the event stream, or the dead-letter stream.
    const home = consumerStream(mapper, CONSUMERS[durable]);
    publish.push(`${API}.CONSUMER.INFO.${home}.${durable}`);
    if (grant.manages) {
      publish.push(
        // 2.9+ clients: CONSUMER.CREATE.<stream>.<name>.<filter>; older: DURABLE.CREATE.
        `${API}.CONSUMER.CREATE.${home}.${durable}`,
        `${API}.CONSUMER.CREATE.${home}.${durable}.>`,
        `${API}.CONSUMER.DURABLE.CREATE.${home}.${durable}`,
      );
    }
  }

  // 3. Pulling and acking its own durables only: MSG.NEXT requests a batch, the
  // messages carry `$JS.ACK.<stream>.<durable>.…` reply subjects for ack/nak/term.
  for (const durable of grant.consumes) {
    const home = consumerStream(mapper, CONSUMERS[durable]);
    publish.push(`${API}.CONSUMER.MSG.NEXT.${home}.${durable}`, `$JS.ACK.${home}.${durable}.>`);
  }

  // 4. Bucket data. Puts, creates (CAS on sequence 0), updates and deletes are all JetStream
  // publishes to `$KV.<bucket>.<key>`, so writing is a subject grant. Reading is not: a get is
  // a `STREAM.MSG.GET` request on the bucket's stream (KvFactory binds with allow_direct off,
  // so no DIRECT.GET), a listing an ordered consumer created on that stream and fed through
  // flow control (`$JS.FC.<stream>.>`). Those grants are per bucket, not per key: NATS
  // cannot scope a read request to a key, so `own-key` users (heartbeats) get no read at all.
  // The listing's consumer: `CONSUMER.CREATE.<KV stream>` (an unnamed one, older clients) or
  // `CONSUMER.CREATE.<KV stream>.<name>.$KV.<bucket>.…` (2.9 clients name their ordered
  // consumers). The subject cannot tell a named ephemeral from a durable, so the second form
  // could also make a durable — on a bucket's stream the user may read anyway, filtered
  // inside that bucket; no crew durable lives on a bucket's stream, so none can be retargeted.
  for (const [bucket, access] of grantedBuckets(user, grant)) {
    const wire = mapper.bucket(bucket);
    const kvStream = bucketStreamName(wire);
    if (access === 'own-key') {
      // One token after the user's name: a replica id is a DNS label, never dotted.
      publish.push(`$KV.${wire}.${user}.*`);
      continue;
    }
    if (access === 'write') publish.push(`$KV.${wire}.>`);
    if (access === 'own-keys') publish.push(`$KV.${wire}.${user}`, `$KV.${wire}.${user}.>`);
    publish.push(
      `${API}.STREAM.MSG.GET.${kvStream}`,
      `${API}.CONSUMER.CREATE.${kvStream}`,
      `${API}.CONSUMER.CREATE.${kvStream}.*.$KV.${wire}.>`,
      `$JS.FC.${kvStream}.>`,
    );
  }

  // Replies (JetStream API answers, publish acks, pulled messages, KV listings) all arrive
  // on the client's `_INBOX.>`; nothing is subscribed directly on an event subject.
  return { publish: unique(publish), subscribe: ['_INBOX.>'] };
}

/**
 * The grant's buckets, plus what every agent does: writing its own heartbeat (heartbeat.service)
 * and its own leader leases (LeadershipService: each replica races for `<agent>`, and
 * demo-controller for `demo-controller.active-scenario`).
 */
function grantedBuckets(user: BusUser, grant: BusGrant): [BucketName, BucketAccess][] {
  const entries = Object.entries(grant.buckets) as [BucketName, BucketAccess][];
  if (!isAgent(user)) return entries;
  const own: [BucketName, BucketAccess][] = [[KV_BUCKETS.leaders, 'own-keys']];
  if (grant.buckets[KV_BUCKETS.heartbeats] !== 'write')
    own.push([KV_BUCKETS.heartbeats, 'own-key']);
  return [...entries, ...own];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
