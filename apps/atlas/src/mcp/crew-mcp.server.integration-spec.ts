import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig, type OpscrewConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  buildEvent,
  type HeartbeatRecord,
  HeartbeatRecord as HeartbeatRecordClass,
  IncidentRecord,
  KV_BUCKETS,
  LeaseRecord,
  serviceLockKey,
  SUBJECTS,
} from '@opscrew/contracts';
import { openEscalationKv } from '@opscrew/guardrails';
import {
  type ConsumerHandle,
  EventConsumer,
  EventPublisher,
  IncidentLedger,
  KvFactory,
  LeaseService,
  type NatsConnectionService,
  type TypedKv,
} from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { type AuditSink } from '@opscrew/ports';
import { jestTimeout, ManualClock, RecordingAudit } from '@opscrew/testing';
import { LedgerRecorder } from '../ledger/ledger-recorder.service';
import { createCrewMcpServer } from './crew-mcp.server';
import { openCrewMcpTools } from './crew-mcp.wiring';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

const TODAY = '20260124';
const id = (n: number): string => `INC-${TODAY}-${String(n).padStart(3, '0')}`;
const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

/** The JSON a successful call returns. */
function json<T>(result: CallToolResult): T {
  expect(result.isError).toBeFalsy();
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('expected a text result');
  return JSON.parse(first.text) as T;
}

/** The error a refused call returns. */
function toolError(result: CallToolResult): { error: string; message: string; fields?: string[] } {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('expected a text error');
  return JSON.parse(first.text) as { error: string; message: string; fields?: string[] };
}

describe('the crew MCP server against NATS', () => {
  const namespace = testNamespace();
  const shipped = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
  let bus: NatsConnectionService;
  let factory: KvFactory;
  let ledger: IncidentLedger;
  let heartbeats: TypedKv<HeartbeatRecord>;
  let recorder: ConsumerHandle;
  const clients: Client[] = [];

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'mcp-test'));
    factory = new KvFactory(bus);
    ledger = new IncidentLedger(
      await factory.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    heartbeats = await factory.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecordClass });
    // atlas's own ledger consumer, so an ack's incident.updated reaches the ledger as in production.
    const publisher = new EventPublisher(bus, 'atlas');
    const consumers = new EventConsumer(bus, publisher);
    const ledgerRecorder = new LedgerRecorder(ledger);
    recorder = await consumers.consume('atlas-ledger', (event, meta) =>
      ledgerRecorder.record(event, meta),
    );

    // Three incidents, detected 30, 20 and 10 minutes ago; the oldest is resolved.
    const seeds = [
      { n: 1, service: 'cart', symptom: 'high_error_rate', at: minutesAgo(30) },
      { n: 2, service: 'checkout', symptom: 'high_latency', at: minutesAgo(20) },
      { n: 3, service: 'cart', symptom: 'oom_kill', at: minutesAgo(10) },
    ];
    for (const seed of seeds) {
      await ledger.open(
        buildEvent(
          SUBJECTS.incidentDetected,
          {
            incident_id: id(seed.n),
            fingerprint: `${seed.service}:${seed.symptom}`,
            service: seed.service,
            symptom: seed.symptom,
            severity: 'high',
            value: 0.12,
            detected_at: seed.at,
          },
          'ops-monitor',
        ),
      );
    }
    await ledger.apply(
      buildEvent(
        SUBJECTS.incidentResolved,
        { incident_id: id(1), resolved_by: 'jira-resolver' },
        'jira-resolver',
      ),
      'resolved',
    );

    // A live load-test lock on cart, and a lock on checkout whose holder died two hours ago.
    const locks = await factory.open(KV_BUCKETS.locks, { class: LeaseRecord });
    await new LeaseService(locks).acquire(
      serviceLockKey('cart'),
      'demo-controller-stress',
      60_000,
      'stress scenario',
    );
    const past = new ManualClock(Date.now() - 2 * 60 * 60_000);
    await new LeaseService(locks, past).acquire(
      serviceLockKey('checkout'),
      'jira-resolver-host-1:INC-x',
      5_000,
      'restart checkout',
    );

    // ops-monitor beat just now (one of its two replicas); jira-resolver an hour ago (a key from
    // before replicas); the others never.
    const beat = (
      agent: HeartbeatRecord['agent'],
      at: string,
      replica?: string,
    ): HeartbeatRecord => ({
      agent,
      ...(replica === undefined ? {} : { replica }),
      version: '0.1.0',
      pid: 4242,
      at,
      started_at: minutesAgo(120),
      uptime_s: 60,
      status: 'ok',
    });
    await heartbeats.put('ops-monitor.om-a', beat('ops-monitor', new Date().toISOString(), 'om-a'));
    await heartbeats.put('ops-monitor.om-b', beat('ops-monitor', minutesAgo(60), 'om-b'));
    await heartbeats.put('jira-resolver', beat('jira-resolver', minutesAgo(60)));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await recorder.stop();
    await removeTestTopology(bus);
    await bus.close();
  });

  async function connect(
    allowAck: boolean,
    audit: AuditSink = new RecordingAudit(),
  ): Promise<Client> {
    const config: Pick<OpscrewConfig, 'agents' | 'mcp_server' | 'thresholds'> = {
      agents: shipped.agents,
      thresholds: shipped.thresholds,
      mcp_server: { enabled: true, allow_ack: allowAck },
    };
    const crew = await openCrewMcpTools({
      factory,
      publisher: new EventPublisher(bus, 'atlas'),
      config,
      audit,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const server = createCrewMcpServer({
      tools: crew.tools,
      withheld: crew.withheld,
      audit,
      transport: 'memory',
      version: '0.0.0-test',
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'mcp-test', version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(client);
    return client;
  }

  const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

  it('lists exactly the four read-only tools by default, each marked read-only', async () => {
    const client = await connect(false);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'list_incidents',
      'get_incident',
      'list_locks',
      'agent_status',
    ]);
    for (const tool of tools) expect(tool.annotations?.readOnlyHint).toBe(true);
    const list = tools.find((tool) => tool.name === 'list_incidents');
    expect(list?.inputSchema.properties?.['limit']).toMatchObject({
      type: 'integer',
      maximum: 100,
    });
    expect(list?.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('list_incidents: newest first, filtered by phase and service, limited', async () => {
    const client = await connect(false);
    const all = json<{ total: number; incidents: { incident_id: string; phase: string }[] }>(
      await call(client, 'list_incidents'),
    );
    expect(all.incidents.map((incident) => incident.incident_id)).toEqual([id(3), id(2), id(1)]);
    expect(all.total).toBe(3);

    const resolved = json<{ incidents: { incident_id: string; last_note?: string }[] }>(
      await call(client, 'list_incidents', { phase: 'resolved' }),
    );
    expect(resolved.incidents).toEqual([
      expect.objectContaining({ incident_id: id(1), last_note: 'resolved by jira-resolver' }),
    ]);

    const cart = json<{ total: number; returned: number; incidents: { incident_id: string }[] }>(
      await call(client, 'list_incidents', { service: 'cart', limit: 1 }),
    );
    expect(cart).toMatchObject({ total: 2, returned: 1, incidents: [{ incident_id: id(3) }] });
  });

  it('get_incident: the whole record with its history; an unknown id is refused', async () => {
    const client = await connect(false);
    const record = json<IncidentRecord>(await call(client, 'get_incident', { incident_id: id(1) }));
    expect(record).toMatchObject({ incident_id: id(1), service: 'cart', phase: 'resolved' });
    expect(record.history.map((entry) => entry.phase)).toEqual(['detected', 'resolved']);

    expect(toolError(await call(client, 'get_incident', { incident_id: id(999) }))).toEqual({
      error: 'refused',
      message: `no incident ${id(999)} in the ledger`,
    });
  });

  it('bad input is an error result naming the field, and the call is audited as refused', async () => {
    const audit = new RecordingAudit();
    const client = await connect(false, audit);
    const badId = toolError(await call(client, 'get_incident', { incident_id: 'INC-1; rm -rf /' }));
    expect(badId.error).toBe('invalid_arguments');
    expect(badId.fields).toEqual(['incident_id']);
    expect(badId.message).toContain('incident_id: must be an incident id INC-YYYYMMDD-NNN-EEEE');

    const tooMany = toolError(await call(client, 'list_incidents', { limit: 10_000 }));
    expect(tooMany).toEqual({
      error: 'invalid_arguments',
      message: 'list_incidents: limit: must be at most 100, got 10000',
      fields: ['limit'],
    });

    const missing = toolError(await call(client, 'get_incident', {}));
    expect(missing.message).toBe('get_incident: incident_id: is required');

    const extra = toolError(await call(client, 'list_locks', { all: true }));
    expect(extra).toMatchObject({ error: 'invalid_arguments', fields: ['all'] });

    expect(audit.entries.map((entry) => [entry.action, entry.verdict])).toEqual([
      ['mcp.get_incident', 'refused'],
      ['mcp.list_incidents', 'refused'],
      ['mcp.get_incident', 'refused'],
      ['mcp.list_locks', 'refused'],
    ]);
    expect(audit.entries[1]).toMatchObject({
      agent: 'atlas',
      result: 'invalid_arguments: list_incidents: limit: must be at most 100, got 10000',
      input: expect.objectContaining({ tool: 'list_incidents', client: 'mcp-test/1.0.0' }),
    });
  });

  it('list_locks: holder, reason, expiry, live or expired', async () => {
    const client = await connect(false);
    const result = json<{
      live: number;
      expired: number;
      locks: { service: string; holder: string; state: string; expires_in_s: number }[];
    }>(await call(client, 'list_locks'));
    expect(result).toMatchObject({ live: 1, expired: 1 });
    expect(result.locks).toEqual([
      expect.objectContaining({
        key: 'service.cart',
        service: 'cart',
        holder: 'demo-controller-stress',
        reason: 'stress scenario',
        state: 'live',
      }),
      expect.objectContaining({
        key: 'service.checkout',
        service: 'checkout',
        holder: 'jira-resolver-host-1:INC-x',
        state: 'expired',
      }),
    ]);
    expect(result.locks[0]?.expires_in_s).toBeGreaterThan(0);
    expect(result.locks[1]?.expires_in_s).toBeLessThan(-3600);
  });

  it('agent_status: alive, stale and never_seen against each max_age_s', async () => {
    const client = await connect(false);
    const { agents } = json<{
      agents: {
        agent: string;
        state: string;
        max_age_s: number;
        replicas: { replica: string; stale: boolean }[];
      }[];
    }>(await call(client, 'agent_status'));
    const states = Object.fromEntries(agents.map((agent) => [agent.agent, agent.state]));
    expect(states).toEqual({
      atlas: 'never_seen',
      'ops-monitor': 'alive',
      'jira-resolver': 'stale',
      'demo-controller': 'never_seen',
    });
    // Alive through one fresh replica; each replica listed with its own verdict.
    const replicas = (name: string) =>
      agents.find((agent) => agent.agent === name)?.replicas.map((r) => [r.replica, r.stale]);
    expect(replicas('ops-monitor')).toEqual([
      ['om-a', false],
      ['om-b', true],
    ]);
    expect(replicas('jira-resolver')).toEqual([['jira-resolver', true]]);
  });

  it('ack_incident is neither listed nor callable while mcp_server.allow_ack is false', async () => {
    const audit = new RecordingAudit();
    const client = await connect(false, audit);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).not.toContain('ack_incident');
    const refused = toolError(
      await call(client, 'ack_incident', { incident_id: id(2), by: 'alice' }),
    );
    expect(refused).toEqual({
      error: 'unknown_tool',
      message: 'ack_incident is not enabled on this server (mcp_server.allow_ack is false)',
    });
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: 'mcp.ack_incident', verdict: 'refused' }),
    ]);
    // Nothing changed: the incident is still only detected, with no ack in its history.
    expect((await ledger.get(id(2)))?.history.map((entry) => entry.note ?? entry.phase)).toEqual([
      'detected',
    ]);
  });

  it('ack_incident, once allowed, stops the escalation and the ledger records who', async () => {
    const audit = new RecordingAudit();
    const client = await connect(true, audit);
    const { tools } = await client.listTools();
    const ack = tools.find((tool) => tool.name === 'ack_incident');
    expect(ack?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });

    const result = json<Record<string, unknown>>(
      await call(client, 'ack_incident', { incident_id: id(2), by: 'alice' }),
    );
    expect(result).toEqual({
      incident_id: id(2),
      outcome: 'acked',
      level: 'L1',
      state: 'acked',
      closed_by: 'alice',
      closed_at: expect.any(String),
      ledger: 'recorded',
    });
    await eventually(async () =>
      Boolean(
        (await ledger.get(id(2)))?.history.some(
          (entry) => entry.note === 'acknowledged by alice (escalation stopped at L1)',
        ),
      ),
    );
    // Intent before acting, then the outcome; the engine's own record in between.
    expect(audit.entries.map((entry) => [entry.action, entry.verdict, entry.result])).toEqual([
      ['mcp.ack_incident', 'allowed', 'requested; arguments valid'],
      ['escalation.acked', 'allowed', expect.stringContaining('acked by alice')],
      ['mcp.ack_incident', 'allowed', 'acked at L1'],
    ]);

    // Again: the same ack, nothing new.
    const again = json<{ outcome: string; closed_by: string }>(
      await call(client, 'ack_incident', { incident_id: id(2), by: 'bob' }),
    );
    expect(again).toMatchObject({ outcome: 'not_escalating', closed_by: 'alice' });

    const bad = toolError(
      await call(client, 'ack_incident', { incident_id: id(2), by: '@everyone' }),
    );
    expect(bad).toMatchObject({ error: 'invalid_arguments', fields: ['by'] });
  });

  it('a mutating call whose intent cannot be audited does nothing', async () => {
    const audit = new RecordingAudit();
    const client = await connect(true, audit);
    audit.failing = true;
    const refused = toolError(
      await call(client, 'ack_incident', { incident_id: id(3), by: 'alice' }),
    );
    expect(refused.message).toBe('the call could not be audited, so nothing was done (disk full)');
    expect(await (await openEscalationKv(factory)).get(id(3))).toBeNull();
    // A read that cannot be audited is not answered either.
    expect(toolError(await call(client, 'list_locks')).message).toContain('could not be audited');
  });
});
