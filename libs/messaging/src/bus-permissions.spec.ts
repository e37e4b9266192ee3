import { AGENT_NAMES, BUCKET_NAMES, isEventSubject, subjectMatches } from '@opscrew/contracts';
import { ADMIN_USER, BUS_GRANTS, BUS_USERS, userPermissions } from './bus-permissions';
import { natsPasswordVariable, renderNatsServerConf } from './nats-server-conf';
import { SubjectMapper } from './subject-mapper';
import { BUCKETS, CONSUMER_NAMES } from './topology';

const plain = new SubjectMapper(undefined, 'OPS');
const namespaced = new SubjectMapper('staging', 'OPS');

/** Whether a user's publish allow-list lets `subject` through (NATS wildcard rules). */
function mayPublish(user: (typeof BUS_USERS)[number], subject: string, mapper = plain): boolean {
  return userPermissions(user, mapper).publish.some((allowed) => subjectMatches(allowed, subject));
}

describe('bus permissions', () => {
  it('lets every writer of a bucket with a due index write the index too (a bucket grant, not own-key)', () => {
    const indexed = BUCKET_NAMES.filter((bucket) => BUCKETS[bucket].due_index_key !== undefined);
    expect(indexed.sort()).toEqual(['escalations', 'remediations']);
    for (const user of BUS_USERS) {
      for (const bucket of indexed) {
        // Its records and their `_due` entry are written together: a key-scoped grant would
        // let a user change a record without its timer.
        expect([undefined, 'read', 'write']).toContain(BUS_GRANTS[user].buckets[bucket]);
      }
    }
  });

  it('has one user per agent, the CLI, a reporter for systems outside the crew, and the admin', () => {
    expect(BUS_USERS).toEqual([...AGENT_NAMES, 'cli', 'reporter', 'admin']);
    expect(BUS_USERS.filter((user) => BUS_GRANTS[user].manages)).toEqual([ADMIN_USER]);
  });

  it('lets the reporter publish incident.reported and nothing else: no provisioning, buckets or consumers', () => {
    // On its own subject, and bare: what outside systems always published (unattributed).
    expect(userPermissions('reporter', plain)).toEqual({
      publish: ['incident.reported.reporter', 'incident.reported'],
      subscribe: ['_INBOX.>'],
    });
    expect(userPermissions('reporter', namespaced).publish).toEqual([
      'staging.incident.reported.reporter',
      'staging.incident.reported',
    ]);
    for (const subject of [
      'incident.detected',
      'incident.detected.reporter',
      'incident.updated.reporter',
      'incident.reported.ops-monitor',
      'incident.reported.cli',
      'heartbeat.reporter',
      '$JS.API.INFO',
      '$JS.API.STREAM.CREATE.OPS',
      '$JS.API.CONSUMER.CREATE.OPS.atlas-ledger',
      '$KV.incidents.INC-20250131-001',
    ])
      expect({ subject, allowed: mayPublish('reporter', subject) }).toEqual({
        subject,
        allowed: false,
      });
  });

  it('gives every declared consumer exactly one owner, the agent its name starts with', () => {
    for (const consumer of CONSUMER_NAMES) {
      const owners = BUS_USERS.filter((user) => BUS_GRANTS[user].consumes.includes(consumer));
      expect({ consumer, owners }).toEqual({
        consumer,
        owners: [AGENT_NAMES.find((agent) => consumer.startsWith(`${agent}-`))],
      });
    }
  });

  it('grants only subjects the contracts know', () => {
    for (const user of BUS_USERS)
      for (const subject of BUS_GRANTS[user].publishes) {
        const example = subject.replace(/>$/, 'example');
        expect({ user, subject, known: isEventSubject(example) }).toEqual({
          user,
          subject,
          known: true,
        });
      }
    for (const user of BUS_USERS)
      for (const bucket of Object.keys(BUS_GRANTS[user].buckets))
        expect(BUCKET_NAMES).toContain(bucket);
  });

  it('lets each agent publish its own events and nobody else’s', () => {
    expect(mayPublish('ops-monitor', 'incident.detected.ops-monitor')).toBe(true);
    expect(mayPublish('ops-monitor', 'remediation.started.ops-monitor')).toBe(false);
    expect(mayPublish('ops-monitor', 'incident.resolved.ops-monitor')).toBe(false);
    expect(mayPublish('ops-monitor', 'lock.acquired.ops-monitor')).toBe(false);
    expect(mayPublish('ops-monitor', 'heartbeat.ops-monitor.ops-monitor')).toBe(true);
    expect(mayPublish('ops-monitor', 'heartbeat.atlas.ops-monitor')).toBe(false);
    expect(mayPublish('demo-controller', 'incident.resolved.demo-controller')).toBe(false);
    expect(mayPublish('demo-controller', 'scenario.started.demo-controller')).toBe(true);
    expect(mayPublish('jira-resolver', 'incident.resolved.jira-resolver')).toBe(true);
    expect(mayPublish('jira-resolver', 'scenario.started.jira-resolver')).toBe(false);
    // Every agent publishes its own report (atlas forwards report.* to the notifier).
    expect(mayPublish('jira-resolver', 'report.jira-resolver-daily.jira-resolver')).toBe(true);
    expect(mayPublish('jira-resolver', 'report.jira-resolver-daily.ops-monitor')).toBe(false);
    expect(mayPublish('atlas', 'agent.stale.atlas')).toBe(true);
    expect(mayPublish('atlas', 'incident.detected.atlas')).toBe(false);
    // The CLI reports; the crew (ops-monitor) opens incidents and mints their ids.
    expect(mayPublish('cli', 'incident.reported.cli')).toBe(true);
    expect(mayPublish('cli', 'incident.detected.cli')).toBe(false);
    expect(mayPublish('cli', '$KV.sequences.2025-01-31')).toBe(false);
    expect(mayPublish('cli', 'incident.updated.cli')).toBe(true);
    expect(mayPublish('ops-monitor', 'incident.reported.ops-monitor')).toBe(true);
    expect(mayPublish('jira-resolver', 'incident.reported.jira-resolver')).toBe(false);
    expect(mayPublish('cli', 'incident.resolved.cli')).toBe(false);
    expect(mayPublish('cli', 'heartbeat.cli.cli')).toBe(false);
  });

  it('publishes only on its own subjects: `<logical>.<itself>`, never bare or as another user', () => {
    expect(mayPublish('ops-monitor', 'incident.detected.ops-monitor')).toBe(true);
    expect(mayPublish('ops-monitor', 'incident.detected')).toBe(false);
    expect(mayPublish('ops-monitor', 'incident.detected.jira-resolver')).toBe(false);
    expect(mayPublish('jira-resolver', 'incident.detected.ops-monitor')).toBe(false);
    expect(mayPublish('cli', 'incident.reported.cli')).toBe(true);
    expect(mayPublish('cli', 'incident.reported')).toBe(false);
    expect(mayPublish('ops-monitor', 'incident.reported')).toBe(false);
    // A family grant: one kind token, then the publisher.
    expect(mayPublish('atlas', 'report.daily.atlas')).toBe(true);
    expect(mayPublish('atlas', 'report.daily.ops-monitor')).toBe(false);
    expect(mayPublish('atlas', 'report.daily')).toBe(false);
    expect(mayPublish('atlas', 'heartbeat.atlas.atlas')).toBe(true);
    expect(mayPublish('atlas', 'heartbeat.atlas')).toBe(false);
    // Every user's list names itself last on every event subject (JetStream API and KV aside).
    for (const user of BUS_USERS)
      for (const subject of userPermissions(user, plain).publish)
        if (!subject.startsWith('$'))
          expect({
            subject,
            ok:
              subject.endsWith(`.${user}`) ||
              (user === 'reporter' && subject === 'incident.reported'),
          }).toEqual({ subject, ok: true });
  });

  it('dead-letters, pulls and acks only its own durables', () => {
    expect(mayPublish('atlas', 'deadletter.atlas-ledger.atlas')).toBe(true);
    expect(mayPublish('atlas', 'deadletter.jira-resolver-incidents.atlas')).toBe(false);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.OPS.atlas-ledger')).toBe(true);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.OPS.jira-resolver-incidents')).toBe(
      false,
    );
    expect(mayPublish('atlas', '$JS.ACK.OPS.atlas-ledger.1.2.3.4.5')).toBe(true);
    expect(mayPublish('atlas', '$JS.ACK.OPS.jira-resolver-incidents.1.2.3.4.5')).toBe(false);
    expect(mayPublish('cli', '$JS.API.CONSUMER.MSG.NEXT.OPS.atlas-ledger')).toBe(false);
  });

  it('reads dead letters from their own stream: atlas pulls atlas-deadletters there, nobody else', () => {
    expect(mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.DEADLETTERS.atlas-deadletters')).toBe(
      true,
    );
    expect(mayPublish('atlas', '$JS.ACK.DEADLETTERS.atlas-deadletters.1.2.3.4.5')).toBe(true);
    // No longer on the event stream.
    expect(mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.OPS.atlas-deadletters')).toBe(false);
    for (const user of BUS_USERS.filter((u) => u !== 'atlas')) {
      expect(mayPublish(user, '$JS.API.CONSUMER.MSG.NEXT.DEADLETTERS.atlas-deadletters')).toBe(
        false,
      );
    }
    // Each agent writes the dead letters of its own consumers only.
    expect(mayPublish('jira-resolver', 'deadletter.jira-resolver-incidents.jira-resolver')).toBe(
      true,
    );
    expect(mayPublish('ops-monitor', 'deadletter.jira-resolver-incidents.ops-monitor')).toBe(false);
    expect(mayPublish('reporter', 'deadletter.ops-monitor-reports.reporter')).toBe(false);
  });

  it('lets the admin alone provision the declared topology, and never delete, purge or read events', () => {
    for (const stream of ['OPS', 'DEADLETTERS', ...BUCKET_NAMES.map((b) => `KV_${b}`)]) {
      expect(mayPublish('admin', `$JS.API.STREAM.INFO.${stream}`)).toBe(true);
      expect(mayPublish('admin', `$JS.API.STREAM.CREATE.${stream}`)).toBe(true);
      expect(mayPublish('admin', `$JS.API.STREAM.UPDATE.${stream}`)).toBe(true);
      expect(mayPublish('admin', `$JS.API.STREAM.DELETE.${stream}`)).toBe(false);
      expect(mayPublish('admin', `$JS.API.STREAM.PURGE.${stream}`)).toBe(false);
    }
    for (const durable of CONSUMER_NAMES) {
      const home = durable === 'atlas-deadletters' ? 'DEADLETTERS' : 'OPS';
      expect(mayPublish('admin', `$JS.API.CONSUMER.INFO.${home}.${durable}`)).toBe(true);
      expect(mayPublish('admin', `$JS.API.CONSUMER.CREATE.${home}.${durable}.incident.>`)).toBe(
        true,
      );
      expect(mayPublish('admin', `$JS.API.CONSUMER.DURABLE.CREATE.${home}.${durable}`)).toBe(true);
      expect(mayPublish('admin', `$JS.API.CONSUMER.DELETE.${home}.${durable}`)).toBe(false);
      expect(mayPublish('admin', `$JS.API.CONSUMER.MSG.NEXT.${home}.${durable}`)).toBe(false);
    }
    expect(mayPublish('admin', '$JS.API.INFO')).toBe(true);
    expect(mayPublish('admin', '$JS.API.CONSUMER.CREATE.OPS')).toBe(false);
    expect(mayPublish('admin', '$JS.API.STREAM.CREATE.OTHER')).toBe(false);
    // It publishes no event and touches no bucket's data.
    expect(mayPublish('admin', 'incident.reported')).toBe(false);
    expect(mayPublish('admin', '$KV.incidents.INC-20250131-001')).toBe(false);
    expect(mayPublish('admin', '$JS.API.STREAM.MSG.GET.KV_incidents')).toBe(false);
  });

  it('lets agents and the CLI verify the topology but never change it', () => {
    for (const user of BUS_USERS.filter(
      (u) => BUS_GRANTS[u].provisions && !BUS_GRANTS[u].manages,
    )) {
      expect(mayPublish(user, '$JS.API.INFO')).toBe(true);
      for (const stream of ['OPS', 'DEADLETTERS', ...BUCKET_NAMES.map((b) => `KV_${b}`)]) {
        expect(mayPublish(user, `$JS.API.STREAM.INFO.${stream}`)).toBe(true);
        for (const verb of ['CREATE', 'UPDATE', 'DELETE', 'PURGE'])
          expect({
            user,
            op: `STREAM.${verb}.${stream}`,
            allowed: mayPublish(user, `$JS.API.STREAM.${verb}.${stream}`),
          }).toEqual({
            user,
            op: `STREAM.${verb}.${stream}`,
            allowed: false,
          });
      }
      for (const durable of CONSUMER_NAMES) {
        const home = durable === 'atlas-deadletters' ? 'DEADLETTERS' : 'OPS';
        const own = BUS_GRANTS[user].consumes.includes(durable);
        expect(mayPublish(user, `$JS.API.CONSUMER.INFO.${home}.${durable}`)).toBe(own);
        for (const subject of [
          `$JS.API.CONSUMER.CREATE.${home}.${durable}`,
          `$JS.API.CONSUMER.CREATE.${home}.${durable}.never.fires`,
          `$JS.API.CONSUMER.DURABLE.CREATE.${home}.${durable}`,
          `$JS.API.CONSUMER.DELETE.${home}.${durable}`,
        ])
          expect({ user, subject, allowed: mayPublish(user, subject) }).toEqual({
            user,
            subject,
            allowed: false,
          });
      }
      expect(mayPublish(user, '$JS.API.CONSUMER.CREATE.OPS')).toBe(false);
      expect(mayPublish(user, '$JS.API.CONSUMER.CREATE.OPS.sneaky.incident.>')).toBe(false);
    }
  });

  it('lists and watches a bucket it reads through consumers on that bucket only', () => {
    expect(mayPublish('atlas', '$JS.API.CONSUMER.CREATE.KV_incidents')).toBe(true);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.CREATE.KV_incidents.w1.$KV.incidents.>')).toBe(
      true,
    );
    // Filtered outside the bucket, or on a bucket it does not read: refused.
    expect(mayPublish('atlas', '$JS.API.CONSUMER.CREATE.KV_incidents.w1.$KV.locks.>')).toBe(false);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.CREATE.KV_incidents.w1')).toBe(false);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.CREATE.KV_sequences')).toBe(false);
  });

  it('writes only its buckets (its own heartbeat keys only), reads only those it is granted', () => {
    expect(mayPublish('ops-monitor', '$KV.fingerprints.cart.high_error_rate')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.locks.service.cart')).toBe(false);
    expect(mayPublish('ops-monitor', '$JS.API.STREAM.MSG.GET.KV_locks')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.remediations.run')).toBe(false);
    expect(mayPublish('ops-monitor', '$JS.API.STREAM.MSG.GET.KV_remediations')).toBe(false);
    // Each replica its own key `<agent>.<replica>`; none of another agent's, nor a deeper key.
    expect(mayPublish('ops-monitor', '$KV.heartbeats.ops-monitor.host-1234')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.heartbeats.ops-monitor.ops-monitor-0')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.heartbeats.ops-monitor')).toBe(false);
    expect(mayPublish('ops-monitor', '$KV.heartbeats.ops-monitor.a.b')).toBe(false);
    expect(mayPublish('ops-monitor', '$KV.heartbeats.atlas.atlas-0')).toBe(false);
    // Every agent reads the heartbeats (its AtlasWatcher watches atlas's), writes only its own.
    expect(mayPublish('ops-monitor', '$JS.API.STREAM.MSG.GET.KV_heartbeats')).toBe(true);
    expect(mayPublish('demo-controller', '$KV.heartbeats.atlas.atlas-0')).toBe(false);
    expect(mayPublish('atlas', '$JS.API.STREAM.MSG.GET.KV_heartbeats')).toBe(true);
    // atlas writes (and prunes, by CAS delete) any replica's key.
    expect(mayPublish('atlas', '$KV.heartbeats.atlas.atlas-0')).toBe(true);
    expect(mayPublish('atlas', '$KV.heartbeats.ops-monitor.host-1234')).toBe(true);
    expect(mayPublish('jira-resolver', '$KV.locks.service.cart')).toBe(true);
    expect(mayPublish('demo-controller', '$KV.incidents.INC-20250131-001')).toBe(false);
    expect(mayPublish('cli', '$KV.escalations.INC-20250131-001')).toBe(true);
    expect(mayPublish('cli', '$KV.incidents.INC-20250131-001')).toBe(false);
  });

  it('maps everything into the namespace: subjects, stream and buckets', () => {
    expect(mayPublish('ops-monitor', 'staging.incident.detected.ops-monitor', namespaced)).toBe(
      true,
    );
    expect(mayPublish('ops-monitor', 'incident.detected.ops-monitor', namespaced)).toBe(false);
    expect(
      mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.OPS_staging.atlas-ledger', namespaced),
    ).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.staging_fingerprints.k', namespaced)).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.fingerprints.k', namespaced)).toBe(false);
  });

  it('subscribes only to inboxes', () => {
    for (const user of BUS_USERS)
      expect(userPermissions(user, plain).subscribe).toEqual(['_INBOX.>']);
  });
});

describe('renderNatsServerConf', () => {
  it('names each password by environment variable, never a value', () => {
    const conf = renderNatsServerConf(plain);
    for (const user of BUS_USERS) {
      expect(conf).toContain(`user: "${user}"\n      password: $${natsPasswordVariable(user)}\n`);
    }
    expect(natsPasswordVariable('ops-monitor')).toBe('NATS_PASSWORD_OPS_MONITOR');
  });

  it('renders the server settings it is given (a test server without monitoring)', () => {
    const conf = renderNatsServerConf(plain, {
      listen: '127.0.0.1:5222',
      http: null,
      server_name: 'test',
      store_dir: '/tmp/js',
    });
    expect(conf).toContain('listen: 127.0.0.1:5222\n');
    expect(conf).not.toContain('http:');
    expect(conf).toContain('store_dir: /tmp/js');
  });
});
