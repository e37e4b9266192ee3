import { join } from 'node:path';
import { type HealthBody } from '@opscrew/agent-core';
import { type ConfigFixture } from '@opscrew/config/testing';
import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { type NatsConnectionService } from '@opscrew/messaging';
import { headers as natsHeaders, StringCodec } from 'nats';
import {
  type CrewProcess,
  CrewTestEnvironment,
  getJson,
  readLines,
  runCli,
  waitFor,
} from './support/crew-harness';

type Health = HealthBody;
interface AgentRow {
  agent: string;
  state: 'alive' | 'stale' | 'never_seen';
  heartbeat_age_s: number | null;
  max_age_s: number;
}
interface DeadLetter {
  consumer: string;
  subject: string;
  reason: string;
  raw: string;
}
interface IncidentRow {
  incident_id: string;
  service: string;
  symptom: string;
  phase: string;
  detected_by: string;
  history: { phase?: string; source: string }[];
}

/**
 * The four built apps as separate processes on loopback, against the real
 * NATS JetStream, in a namespace of their own (stream OPS_<ns>, buckets <ns>_*).
 */
describe('the crew on JetStream (e2e)', () => {
  const crew = new Map<AgentName, CrewProcess>();
  let env: CrewTestEnvironment;
  let fixture: ConfigFixture;
  let bus: NatsConnectionService;
  const url = (agent: AgentName, path: string): string => env.url(agent, path);

  beforeAll(async () => {
    env = await CrewTestEnvironment.create('e2e-observer', {
      heartbeatIntervalS: 1,
      maxAgeS: 3,
      livenessCheckS: 1,
    });
    ({ fixture, bus } = env);
    for (const agent of AGENT_NAMES) crew.set(agent, env.spawn(agent, ['start', agent]));
  });

  afterAll(() => env?.dispose());

  it('serves /health on every agent: 200, its name, version, uptime, NATS connected, last heartbeat', async () => {
    for (const agent of AGENT_NAMES) {
      const health = await waitFor(
        `${agent} /health`,
        async () => {
          const { status, body } = await getJson<Health>(url(agent, '/health'));
          return status === 200 && body.last_heartbeat_at !== null ? body : undefined;
        },
        30_000,
      );
      expect(health).toMatchObject({
        status: 'ok',
        agent,
        nats: 'connected',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      });
      expect(health.uptime_s).toBeGreaterThanOrEqual(0);
      expect(health.pid).toBe(crew.get(agent)?.pid);
      expect(Date.parse(health.last_heartbeat_at ?? '')).toBeGreaterThan(Date.now() - 10_000);
    }
  });

  it('lists every configured agent as alive on atlas /agents', async () => {
    const rows = await waitFor('all agents alive', async () => {
      const { body } = await getJson<AgentRow[]>(url('atlas', '/agents'));
      return body.length === 4 && body.every((row) => row.state === 'alive') ? body : undefined;
    });
    expect(rows.map((row) => row.agent)).toEqual([...AGENT_NAMES]);
    for (const row of rows) {
      expect(row.max_age_s).toBe(3);
      expect(row.heartbeat_age_s).toBeLessThanOrEqual(3);
    }
  });

  it('records an injected incident in the ledger and jira-resolver receives and acks it', async () => {
    const result = runCli([
      'incident',
      'inject',
      '--service',
      'cart',
      '--symptom',
      'high_error_rate',
      '--value',
      '0.12',
      '--severity',
      'high',
      '--config',
      fixture.dir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const id = /published incident\.detected (INC-\d{8}-\d{3})/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();

    const incident = await waitFor('the incident in /incidents', async () => {
      const { body } = await getJson<IncidentRow[]>(url('atlas', '/incidents'));
      return body.find((row) => row.incident_id === id);
    });
    expect(incident).toMatchObject({
      service: 'cart',
      symptom: 'high_error_rate',
      detected_by: 'cli',
    });
    // jira-resolver may have triaged it already; the ledger's history starts at detection.
    expect(incident.history[0]).toMatchObject({ phase: 'detected', source: 'cli' });
    const single = await getJson<IncidentRow>(url('atlas', `/incidents/${id ?? ''}`));
    expect(single.body.incident_id).toBe(id);
    await waitFor('jira-resolver to log it', () =>
      crew
        .get('jira-resolver')
        ?.logs.includes(`received ${id ?? '?'}: cart high_error_rate = 0.12`),
    );

    // Acked: nothing is left pending on jira-resolver's durable consumer.
    const jsm = await bus.jetstreamManager();
    await waitFor('no pending deliveries', async () => {
      const info = await jsm.consumers.info(bus.subjects.stream(), 'jira-resolver-incidents');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
  });

  it('dead-letters a hand-published invalid event, and the consumer keeps going', async () => {
    const js = bus.jetstream();
    const sc = StringCodec();
    const raw = JSON.stringify({
      schema: 1,
      id: 'hand-made-1',
      at: new Date().toISOString(),
      source: 'human',
      service: 'cart',
    });
    const h = natsHeaders();
    h.set('Nats-Msg-Id', 'hand-made-1');
    await js.publish(bus.subjects.toWire('incident.detected'), sc.encode(raw), { headers: h });
    await js.publish(bus.subjects.toWire('incident.detected'), sc.encode('{ not json'));

    // Both bad messages become dead-letter records (read back with an ordered consumer).
    const deadLetters = await waitFor('two dead-letter records', async () => {
      const records = await readSubject(bus, 'deadletter.jira-resolver-incidents');
      return records.length >= 2 ? records : undefined;
    });
    const [missingFields, notJson] = deadLetters as [DeadLetter, DeadLetter];
    expect(missingFields).toMatchObject({
      consumer: 'jira-resolver-incidents',
      subject: 'incident.detected',
    });
    expect(missingFields.reason).toMatch(/incident_id/);
    expect(notJson.reason).toMatch(/invalid JSON/i);
    expect(notJson.raw).toBe('{ not json');
    expect(crew.get('jira-resolver')?.logs).toMatch(/dead-letter/i);

    // The consumer is still alive: a valid incident after the bad ones is received.
    const next = runCli([
      'incident',
      'inject',
      '--service',
      'payment',
      '--symptom',
      'high_latency',
      '--value',
      '6500',
      '--config',
      fixture.dir,
    ]);
    expect(next.code).toBe(0);
    const id = /published incident\.detected (INC-\d{8}-\d{3})/.exec(next.stdout)?.[1] ?? '?';
    await waitFor('jira-resolver to receive the next incident', () =>
      crew.get('jira-resolver')?.logs.includes(`received ${id}: payment high_latency`),
    );
  });

  it('marks an agent killed with SIGKILL stale within its max age, announcing it once', async () => {
    const victim = crew.get('ops-monitor');
    if (!victim) throw new Error('no ops-monitor');
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited();

    const row = await waitFor(
      'ops-monitor stale on /agents',
      async () => {
        const { body } = await getJson<AgentRow[]>(url('atlas', '/agents'));
        return body.find((entry) => entry.agent === 'ops-monitor' && entry.state === 'stale');
      },
      15_000,
      100,
    );
    // max_age_s (3) + one liveness check (1) + one heartbeat interval of slack (1).
    expect(Date.now() - killedAt).toBeLessThan(5_500);
    expect(row.heartbeat_age_s).toBeGreaterThanOrEqual(3);

    const others = (await getJson<AgentRow[]>(url('atlas', '/agents'))).body.filter(
      (entry) => entry.agent !== 'ops-monitor',
    );
    expect(others.every((entry) => entry.state === 'alive')).toBe(true);

    const jsm = await bus.jetstreamManager();
    const staleSubject = bus.subjects.toWire('agent.stale');
    const stale = await waitFor('agent.stale on the bus', async () => {
      const message = await jsm.streams.getMessage(bus.subjects.stream(), {
        last_by_subj: staleSubject,
      });
      return JSON.parse(StringCodec().decode(message.data)) as { agent: string; max_age_s: number };
    });
    expect(stale).toMatchObject({ agent: 'ops-monitor', max_age_s: 3 });
    // Once, not every check.
    await new Promise((r) => setTimeout(r, 2_500));
    const info = await jsm.streams.info(bus.subjects.stream(), { subjects_filter: staleSubject });
    expect(info.state.subjects?.[staleSubject]).toBe(1);

    const reportLines = readLines(join(fixture.projectDir, 'var/reports/atlas.jsonl'));
    expect(reportLines.filter((line) => line.includes('ops-monitor is stale'))).toHaveLength(1);
  });
});

/** Every message stored on a logical subject of the namespace, decoded as JSON. */
async function readSubject(bus: NatsConnectionService, subject: string): Promise<unknown[]> {
  const jsm = await bus.jetstreamManager();
  const wire = bus.subjects.toWire(subject);
  const info = await jsm.streams.info(bus.subjects.stream(), { subjects_filter: wire });
  const count = info.state.subjects?.[wire] ?? 0;
  if (count === 0) return [];
  const consumer = await bus
    .jetstream()
    .consumers.get(bus.subjects.stream(), { filterSubjects: wire });
  const out: unknown[] = [];
  const sc = StringCodec();
  for (let i = 0; i < count; i++) {
    const message = await consumer.next({ expires: 2_000 });
    if (!message) break;
    out.push(JSON.parse(sc.decode(message.data)));
  }
  await consumer.delete();
  return out;
}
