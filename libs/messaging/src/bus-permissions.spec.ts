import { AGENT_NAMES, BUCKET_NAMES, isEventSubject, subjectMatches } from '@opscrew/contracts';
import { BUS_GRANTS, BUS_USERS, userPermissions } from './bus-permissions';
import { natsPasswordVariable, renderNatsServerConf } from './nats-server-conf';
import { SubjectMapper } from './subject-mapper';
import { CONSUMER_NAMES } from './topology';

const plain = new SubjectMapper(undefined, 'OPS');
const namespaced = new SubjectMapper('staging', 'OPS');

/** Whether a user's publish allow-list lets `subject` through (NATS wildcard rules). */
function mayPublish(user: (typeof BUS_USERS)[number], subject: string, mapper = plain): boolean {
  return userPermissions(user, mapper).publish.some((allowed) => subjectMatches(allowed, subject));
}

describe('bus permissions', () => {
  it('has one user per agent and the CLI', () => {
    expect(BUS_USERS).toEqual([...AGENT_NAMES, 'cli']);
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
    expect(mayPublish('ops-monitor', 'incident.detected')).toBe(true);
    expect(mayPublish('ops-monitor', 'remediation.started')).toBe(false);
    expect(mayPublish('ops-monitor', 'incident.resolved')).toBe(false);
    expect(mayPublish('ops-monitor', 'lock.acquired')).toBe(false);
    expect(mayPublish('ops-monitor', 'heartbeat.ops-monitor')).toBe(true);
    expect(mayPublish('ops-monitor', 'heartbeat.atlas')).toBe(false);
    expect(mayPublish('demo-controller', 'incident.resolved')).toBe(false);
    expect(mayPublish('demo-controller', 'scenario.started')).toBe(true);
    expect(mayPublish('jira-resolver', 'incident.resolved')).toBe(true);
    expect(mayPublish('jira-resolver', 'scenario.started')).toBe(false);
    expect(mayPublish('jira-resolver', 'report.jira-resolver-daily')).toBe(false);
    expect(mayPublish('atlas', 'agent.stale')).toBe(true);
    expect(mayPublish('atlas', 'incident.detected')).toBe(false);
    expect(mayPublish('cli', 'incident.detected')).toBe(true);
    expect(mayPublish('cli', 'incident.updated')).toBe(true);
    expect(mayPublish('cli', 'incident.resolved')).toBe(false);
    expect(mayPublish('cli', 'heartbeat.cli')).toBe(false);
  });

  it('dead-letters, pulls and acks only its own durables', () => {
    expect(mayPublish('atlas', 'deadletter.atlas-ledger')).toBe(true);
    expect(mayPublish('atlas', 'deadletter.jira-resolver-incidents')).toBe(false);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.OPS.atlas-ledger')).toBe(true);
    expect(mayPublish('atlas', '$JS.API.CONSUMER.MSG.NEXT.OPS.jira-resolver-incidents')).toBe(
      false,
    );
    expect(mayPublish('atlas', '$JS.ACK.OPS.atlas-ledger.1.2.3.4.5')).toBe(true);
    expect(mayPublish('atlas', '$JS.ACK.OPS.jira-resolver-incidents.1.2.3.4.5')).toBe(false);
    expect(mayPublish('cli', '$JS.API.CONSUMER.MSG.NEXT.OPS.atlas-ledger')).toBe(false);
  });

  it('may provision the declared topology but never delete, purge or create ephemeral consumers on it', () => {
    for (const user of BUS_USERS) {
      expect(mayPublish(user, '$JS.API.STREAM.CREATE.OPS')).toBe(true);
      expect(mayPublish(user, '$JS.API.CONSUMER.CREATE.OPS.atlas-ledger.incident.>')).toBe(true);
      expect(mayPublish(user, '$JS.API.STREAM.DELETE.OPS')).toBe(false);
      expect(mayPublish(user, '$JS.API.STREAM.PURGE.OPS')).toBe(false);
      expect(mayPublish(user, '$JS.API.CONSUMER.DELETE.OPS.atlas-ledger')).toBe(false);
      expect(mayPublish(user, '$JS.API.CONSUMER.CREATE.OPS')).toBe(false);
      expect(mayPublish(user, '$JS.API.STREAM.CREATE.OTHER')).toBe(false);
    }
  });

  it('writes only its buckets (its own heartbeat key only), reads only those it is granted', () => {
    expect(mayPublish('ops-monitor', '$KV.fingerprints.cart.high_error_rate')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.locks.service.cart')).toBe(false);
    expect(mayPublish('ops-monitor', '$JS.API.STREAM.MSG.GET.KV_locks')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.remediations.run')).toBe(false);
    expect(mayPublish('ops-monitor', '$JS.API.STREAM.MSG.GET.KV_remediations')).toBe(false);
    expect(mayPublish('ops-monitor', '$KV.heartbeats.ops-monitor')).toBe(true);
    expect(mayPublish('ops-monitor', '$KV.heartbeats.atlas')).toBe(false);
    expect(mayPublish('ops-monitor', '$JS.API.STREAM.MSG.GET.KV_heartbeats')).toBe(false);
    expect(mayPublish('atlas', '$JS.API.STREAM.MSG.GET.KV_heartbeats')).toBe(true);
    expect(mayPublish('atlas', '$KV.heartbeats.atlas')).toBe(true);
    expect(mayPublish('atlas', '$KV.heartbeats.ops-monitor')).toBe(false);
    expect(mayPublish('jira-resolver', '$KV.locks.service.cart')).toBe(true);
    expect(mayPublish('demo-controller', '$KV.incidents.INC-20250131-001')).toBe(false);
    expect(mayPublish('cli', '$KV.escalations.INC-20250131-001')).toBe(true);
    expect(mayPublish('cli', '$KV.incidents.INC-20250131-001')).toBe(false);
  });

  it('maps everything into the namespace: subjects, stream and buckets', () => {
    expect(mayPublish('ops-monitor', 'staging.incident.detected', namespaced)).toBe(true);
    expect(mayPublish('ops-monitor', 'incident.detected', namespaced)).toBe(false);
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
