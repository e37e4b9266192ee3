import { join } from 'node:path';
import { type HealthBody } from '@opscrew/agent-core';
import { type ConfigFixture } from '@opscrew/config/testing';
import { AGENT_NAMES, type AgentName, type IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import { LocalTracker } from '@opscrew/integrations';
import { KvFactory, type NatsConnectionService } from '@opscrew/messaging';
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
  replicas: { replica: string; stale: boolean; pid: number }[];
}
interface DeadLetter {
  consumer: string;
  subject: string;
  reason: string;
  raw: string;
}

/** `--wait` for injects: well inside runCli's 30 s, far beyond a fold and the ledger's catch-up. */
const INJECT_WAIT_S = 20;

/** The incident id `opscrew incident inject --wait` printed. */
const joinedId = (stdout: string): string | undefined =>
  /^joined (INC-\d{8}-\d{3,}(?:-[0-9a-z]{4})?):/m.exec(stdout)?.[1];

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
      // One process per agent here: at least its replica, fresh (earlier runs' keys may linger).
      expect(row.replicas.some((replica) => !replica.stale)).toBe(true);
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
      '--wait',
      String(INJECT_WAIT_S),
      '--config',
      fixture.dir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^reported incident\.reported: cart high_error_rate = 0\.12/);
    const id = joinedId(result.stdout);
    expect(id).toBeDefined();

    const incident = await waitFor('the incident in /incidents', async () => {
      const { body } = await getJson<IncidentRecord[]>(url('atlas', '/incidents'));
      return body.find((row) => row.incident_id === id);
    });
    // The CLI reports; ops-monitor opens the incident (and mints its id).
    expect(incident).toMatchObject({
      service: 'cart',
      symptom: 'high_error_rate',
      detected_by: 'ops-monitor',
      reporters: ['cli'],
    });
    // jira-resolver may have triaged it already; the ledger's history starts at detection.
    expect(incident.history[0]).toMatchObject({ phase: 'detected', source: 'ops-monitor' });
    const single = await getJson<IncidentRecord>(url('atlas', `/incidents/${id ?? ''}`));
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

  it('folds five identical injects into one incident with count 5, one ticket and one remediation', async () => {
    const inject = () =>
      runCli([
        'incident',
        'inject',
        '--service',
        'shippingservice',
        '--symptom',
        'oom_kill',
        '--dedup-key',
        'e2e-five',
        '--wait',
        String(INJECT_WAIT_S),
        '--config',
        fixture.dir,
      ]);
    const ids = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) {
      const result = inject();
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      ids.add(joinedId(result.stdout));
    }
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    if (id === undefined) throw new Error('no incident id printed');

    const incident = await waitFor('count 5 in the ledger', async () => {
      const { body } = await getJson<IncidentRecord>(url('atlas', `/incidents/${id}`));
      return body.count === 5 ? body : undefined;
    });
    expect(incident).toMatchObject({
      fingerprint: 'shipping:oom_kill',
      reporters: ['cli'],
      dedup_keys: ['e2e-five'],
    });
    const { body: found } = await getJson<IncidentRecord[]>(
      url('atlas', '/incidents?dedup_key=e2e-five'),
    );
    expect(found.map((row) => row.incident_id)).toEqual([id]);

    // One ticket (ops-monitor's outbox, the local tracker) …
    const kv = new KvFactory(bus);
    const tracker = new LocalTracker(await kv.raw(KV_BUCKETS.tickets), {
      listKeys: () => kv.listKeys(KV_BUCKETS.tickets),
    });
    const ticketsFor = async (): Promise<number> => {
      let count = 0;
      for (const key of await kv.listKeys(KV_BUCKETS.tickets))
        if (/^OPS-\d+$/.test(key) && (await tracker.get(key))?.incident_id === id) count++;
      return count;
    };
    await waitFor('its ticket', async () => (await ticketsFor()) === 1);
    // … and one incident.detected, so jira-resolver takes it once (at most one remediation).
    await waitFor('jira-resolver to receive it', () =>
      crew.get('jira-resolver')?.logs.includes(`received ${id}: shipping oom_kill`),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await ticketsFor()).toBe(1);
    const received = crew.get('jira-resolver')?.logs.split(`received ${id}:`).length ?? 0;
    expect(received - 1).toBe(1);
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
    // On ops-monitor's subject (a user that may publish incident.detected): only the payload is bad.
    const wire = bus.subjects.toPublishWire('incident.detected', 'ops-monitor');
    await js.publish(wire, sc.encode(raw), { headers: h });
    await js.publish(wire, sc.encode('{ not json'));

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
      '--wait',
      String(INJECT_WAIT_S),
      '--config',
      fixture.dir,
    ]);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    const id = joinedId(next.stdout) ?? '?';
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
    // atlas publishes it on its own subject (the publisher token, publisher-subject.ts).
    const staleSubject = bus.subjects.toPublishWire('agent.stale', 'atlas');
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
  // From any publisher: `<subject>.<user>` (publisher-subject.ts).
  const wire = bus.subjects.anyPublisher(subject);
  // Dead letters have their own stream (DEADLETTERS), events the event stream.
  const stream = bus.subjects.streamFor(subject);
  const info = await jsm.streams.info(stream, { subjects_filter: wire });
  const count = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  if (count === 0) return [];
  const consumer = await bus.jetstream().consumers.get(stream, { filterSubjects: wire });
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
