import {
  type IncidentDetectedEvent,
  type IncidentUpdatedEvent,
  type HeartbeatEvent,
} from '@opscrew/contracts';
import { SubjectMapper } from './subject-mapper';
import {
  BUCKETS,
  bucketDeclaration,
  CONSUMER_NAMES,
  type ConsumedEvent,
  consumerDeclaration,
  CONSUMERS,
  isConsumerName,
  STREAM_SUBJECTS,
} from './topology';
import { consumerConfig, streamConfig } from './topology.provisioner';

describe('topology', () => {
  it('declares the stream subjects', () => {
    expect(STREAM_SUBJECTS).toEqual([
      'incident.>',
      'remediation.>',
      'lock.>',
      'scenario.>',
      'heartbeat.>',
      'report.>',
      'agent.>',
      'deadletter.>',
      'audit.>',
    ]);
  });

  it('maps the stream config through the namespace', () => {
    const config = streamConfig(new SubjectMapper('x', 'OPS'), { duplicate_window_ms: 120_000 });
    expect(config.name).toBe('OPS_x');
    expect(config.subjects).toContain('x.incident.>');
    expect(config.subjects).toHaveLength(9);
    expect(config.storage).toBe('file');
    expect(config.duplicate_window).toBe(120_000 * 1_000_000);
    expect(config.max_age).toBe(7 * 24 * 3600 * 1e9);
  });

  it('declares durable explicit-ack consumers with bounded delivery', () => {
    expect(CONSUMER_NAMES).toEqual(
      expect.arrayContaining(['jira-resolver-incidents', 'atlas-ledger', 'atlas-heartbeats']),
    );
    for (const name of CONSUMER_NAMES) {
      const declaration = CONSUMERS[name];
      expect(declaration.durable).toBe(name);
      expect(declaration.max_deliver).toBeGreaterThan(1);
      expect(declaration.ack_wait_ms).toBeGreaterThanOrEqual(1_000);
      expect(declaration.pull_batch).toBeGreaterThanOrEqual(1);
      expect(STREAM_SUBJECTS.some((s) => declaration.filter.startsWith(s.slice(0, -1)))).toBe(true);
      const config = consumerConfig(new SubjectMapper('x', 'OPS'), declaration);
      expect(config.ack_policy).toBe('explicit');
      expect(config.filter_subject).toBe(`x.${declaration.filter}`);
    }
    expect(CONSUMERS['jira-resolver-incidents'].filter).toBe('incident.detected');
    expect(CONSUMERS['atlas-ledger'].filter).toBe('incident.>');
    expect(CONSUMERS['atlas-postmortems'].filter).toBe('incident.>');
    expect(CONSUMERS['demo-controller-locks'].filter).toBe('lock.>');
    expect(CONSUMER_NAMES).toHaveLength(12);
  });

  it('lets apps ask for a consumer by name', () => {
    expect(consumerDeclaration('atlas-ledger').filter).toBe('incident.>');
    expect(isConsumerName('atlas-ledger')).toBe(true);
    expect(isConsumerName('toString')).toBe(false);
    expect(() => consumerDeclaration('nope')).toThrow(
      /unknown consumer "nope" \(declared: jira-resolver-incidents/,
    );
  });

  it('declares every bucket with history and TTL', () => {
    expect(bucketDeclaration('locks')).toMatchObject({ history: 1, storage: 'file' });
    expect(bucketDeclaration('heartbeats').history).toBe(1);
    expect(bucketDeclaration('incidents').history).toBe(5);
    expect(BUCKETS.outbox.ttl_ms).toBe(0);
    for (const declaration of Object.values(BUCKETS)) {
      expect(declaration.history).toBeGreaterThanOrEqual(1);
      expect(declaration.history).toBeLessThanOrEqual(64); // the server's per-key history cap
    }
  });

  it('types handler events by consumer filter', () => {
    const jira: ConsumedEvent<'jira-resolver-incidents'> = {} as IncidentDetectedEvent;
    const ledger: ConsumedEvent<'atlas-ledger'> = {} as IncidentUpdatedEvent;
    const beats: ConsumedEvent<'atlas-heartbeats'> = {} as HeartbeatEvent;
    // @ts-expect-error a heartbeat is not an incident.detected
    const wrong: ConsumedEvent<'jira-resolver-incidents'> = {} as HeartbeatEvent;
    expect([jira, ledger, beats, wrong]).toHaveLength(4);
  });
});
