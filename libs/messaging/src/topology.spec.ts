import {
  type IncidentDetectedEvent,
  type IncidentReportedEvent,
  type IncidentUpdatedEvent,
  type HeartbeatEvent,
  isKvKey,
  subjectMatches,
} from '@opscrew/contracts';
import { SubjectMapper } from './subject-mapper';
import {
  BUCKETS,
  bucketDeclaration,
  CONSUMER_NAMES,
  type ConsumedEvent,
  type ConsumerDeclaration,
  consumerDeclaration,
  CONSUMERS,
  DEAD_LETTER_STREAM_LIMITS,
  DEAD_LETTER_STREAM_SUBJECTS,
  DUE_INDEX_KEY,
  isConsumerName,
  STREAM_SUBJECTS,
} from './topology';
import {
  consumerConfig,
  consumerStream,
  deadLetterStreamConfig,
  streamConfig,
} from './topology.provisioner';

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
      'audit.>',
      'command.>',
    ]);
  });

  it('keeps dead letters in their own bounded stream, not in the 7-day event stream', () => {
    const mapper = new SubjectMapper('x', 'OPS');
    expect(STREAM_SUBJECTS).not.toContain('deadletter.>');
    const config = deadLetterStreamConfig(mapper, { duplicate_window_ms: 120_000 });
    expect(config).toMatchObject({
      name: 'DEADLETTERS_x',
      subjects: ['x.deadletter.>'],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      max_age: 14 * 24 * 3600 * 1e9,
      max_msgs: DEAD_LETTER_STREAM_LIMITS.max_msgs,
      max_bytes: DEAD_LETTER_STREAM_LIMITS.max_bytes,
      max_msg_size: DEAD_LETTER_STREAM_LIMITS.max_msg_size,
    });
    expect(DEAD_LETTER_STREAM_SUBJECTS).toEqual(['deadletter.>']);
    // NATS 2.9 reserves max_bytes up front: small enough for many test namespaces on one store.
    expect(DEAD_LETTER_STREAM_LIMITS.max_bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(consumerStream(mapper, CONSUMERS['atlas-deadletters'])).toBe('DEADLETTERS_x');
    expect(consumerStream(mapper, CONSUMERS['atlas-ledger'])).toBe('OPS_x');
  });

  it('bounds handler concurrency per consumer below what the server lets it hold', () => {
    for (const name of CONSUMER_NAMES) {
      const declaration: ConsumerDeclaration = CONSUMERS[name];
      expect(Number.isInteger(declaration.concurrency)).toBe(true);
      expect(declaration.concurrency).toBeGreaterThanOrEqual(1);
      // Room for bad messages to flow past the handled ones (they never take a handler slot).
      expect(declaration.max_ack_pending).toBeGreaterThan(declaration.concurrency * 8);
      expect(declaration.pull_batch).toBeLessThanOrEqual(declaration.max_ack_pending);
    }
    // Remediation touches shared runtime: at most 4 incidents at once.
    expect(CONSUMERS['jira-resolver-incidents'].concurrency).toBe(4);
    // The ledger checks each step against the incident's phase: per-incident order.
    expect(CONSUMERS['atlas-ledger'].order_by).toBe('incident_id');
    expect(CONSUMERS['ops-monitor-reports'].order_by).toBe('service');
    for (const name of [
      'atlas-postmortems',
      'demo-controller-incidents',
      'demo-controller-remediations',
      'demo-controller-locks',
    ] as const) {
      expect(CONSUMERS[name].concurrency).toBe(1);
    }
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
      const captured: readonly string[] =
        consumerStream(new SubjectMapper('x', 'OPS'), declaration) === 'DEADLETTERS_x'
          ? DEAD_LETTER_STREAM_SUBJECTS
          : STREAM_SUBJECTS;
      expect(captured.some((s) => declaration.filter.startsWith(s.slice(0, -1)))).toBe(true);
      const config = consumerConfig(new SubjectMapper('x', 'OPS'), declaration);
      expect(config.ack_policy).toBe('explicit');
      // Exact filters take the publisher token every crew publish ends with; families match it.
      expect(config.filter_subject).toBe(
        declaration.filter.endsWith('>') ? `x.${declaration.filter}` : `x.${declaration.filter}.*`,
      );
    }
    expect(CONSUMERS['jira-resolver-incidents'].filter).toBe('incident.detected');
    expect(CONSUMERS['atlas-ledger'].filter).toBe('incident.>');
    expect(CONSUMERS['atlas-postmortems'].filter).toBe('incident.>');
    expect(CONSUMERS['demo-controller-locks'].filter).toBe('lock.>');
    // The family: incident.reported both bare (outside systems) and `.<user>` in one 2.9 filter.
    expect(CONSUMERS['ops-monitor-reports'].filter).toBe('incident.>');
    expect(consumerConfig(new SubjectMapper('x', 'OPS'), CONSUMERS['ops-monitor-reports'])).toEqual(
      expect.objectContaining({ filter_subject: 'x.incident.>' }),
    );
    expect(
      consumerConfig(new SubjectMapper('x', 'OPS'), CONSUMERS['jira-resolver-incidents']),
    ).toEqual(expect.objectContaining({ filter_subject: 'x.incident.detected.*' }));
    expect(CONSUMER_NAMES).toHaveLength(15);
  });

  it('lets only ops-monitor-reports read incident.reported: every other consumer it reaches ignores it', () => {
    const reaching = CONSUMER_NAMES.filter((name) =>
      subjectMatches(CONSUMERS[name].filter, 'incident.reported'),
    );
    expect(reaching).toEqual(
      expect.arrayContaining([
        'atlas-ledger',
        'atlas-postmortems',
        'demo-controller-incidents',
        'ops-monitor-reports',
      ]),
    );
    for (const name of reaching) {
      const declaration: ConsumerDeclaration = CONSUMERS[name];
      expect({ name, ignores: declaration.ignores ?? [] }).toEqual({
        name,
        ignores:
          name === 'ops-monitor-reports'
            ? ['incident.detected', 'incident.updated', 'incident.resolved', 'incident.escalated']
            : ['incident.reported'],
      });
    }
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

  it('gives the buckets whose timers are read by index a due index key outside their item keys', () => {
    expect(BUCKETS.escalations.due_index_key).toBe(DUE_INDEX_KEY);
    expect(BUCKETS.remediations.due_index_key).toBe(DUE_INDEX_KEY);
    expect(isKvKey(DUE_INDEX_KEY)).toBe(true);
    // Not an incident id (escalations' keys) nor a run./restart./ticket. key (remediations').
    expect(DUE_INDEX_KEY).not.toMatch(/^(INC-|run\.|restart\.|ticket\.)/);
  });

  it('types handler events by consumer filter', () => {
    const jira: ConsumedEvent<'jira-resolver-incidents'> = {} as IncidentDetectedEvent;
    const ledger: ConsumedEvent<'atlas-ledger'> = {} as IncidentUpdatedEvent;
    const beats: ConsumedEvent<'atlas-heartbeats'> = {} as HeartbeatEvent;
    const reports: ConsumedEvent<'ops-monitor-reports'> = {} as IncidentReportedEvent;
    // @ts-expect-error a heartbeat is not an incident.detected
    const wrong: ConsumedEvent<'jira-resolver-incidents'> = {} as HeartbeatEvent;
    // @ts-expect-error the ledger ignores incident.reported: its handler never sees one
    const ignored: ConsumedEvent<'atlas-ledger'> = {} as IncidentReportedEvent;
    expect([jira, ledger, beats, reports, wrong, ignored]).toHaveLength(6);
  });
});
