import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConfigFixture } from '@opscrew/config/testing';
import { buildEvent, IncidentRecord, KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import { IncidentLedger, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { assertBuilt, NATS_URL, OPSCREW_BIN, REPO_ROOT } from './support/crew-harness';

/**
 * `opscrew mcp` as an MCP client runs it: the built binary spawned over stdio
 * (no port), against real NATS in a namespace of its own. stdout is the
 * protocol: one stray log line there and the client's parse fails.
 */
describe('opscrew mcp (e2e, stdio)', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  const incidentId = 'INC-20260124-007';
  let bus: NatsConnectionService;
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = '';

  beforeAll(async () => {
    assertBuilt();
    ({ bus } = await openTestBus(NATS_URL, namespace, 'mcp-e2e'));
    const ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    await ledger.open(
      buildEvent(
        SUBJECTS.incidentDetected,
        {
          incident_id: incidentId,
          fingerprint: 'cart:high_error_rate',
          service: 'cart',
          symptom: 'high_error_rate',
          severity: 'high',
          value: 0.2,
          detected_at: new Date().toISOString(),
        },
        'ops-monitor',
      ),
    );
    fixture.patch(
      'opscrew.json5',
      "stream: 'OPS',",
      `stream: 'OPS',\n    namespace: '${namespace}',`,
    );

    transport = new StdioClientTransport({
      command: process.execPath,
      args: [OPSCREW_BIN, 'mcp', '--config', fixture.dir],
      cwd: REPO_ROOT,
      // The child sees only these (plus HOME, PATH…): NATS_URL must be passed explicitly.
      env: { NATS_URL, OPSCREW_LOG_LEVEL: 'debug' },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await removeTestTopology(bus);
    await bus.close();
    fixture.remove();
  });

  it('serves the four read-only tools and the seeded incident', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'list_incidents',
      'get_incident',
      'list_locks',
      'agent_status',
    ]);
    const result = (await client.callTool({
      name: 'list_incidents',
      arguments: { service: 'cart' },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const first = result.content[0];
    expect(first?.type).toBe('text');
    const body = JSON.parse(first?.type === 'text' ? first.text : '{}') as {
      incidents: { incident_id: string; phase: string }[];
    };
    expect(body.incidents).toEqual([
      expect.objectContaining({ incident_id: incidentId, phase: 'detected' }),
    ]);

    const refused = (await client.callTool({
      name: 'list_incidents',
      arguments: { limit: 10_000 },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('limit: must be at most 100, got 10000');
  });

  it('logs on stderr only, and audits every call in var/audit/mcp.jsonl', () => {
    expect(stderr).toContain(
      'opscrew mcp: serving list_incidents, get_incident, list_locks, agent_status on stdio',
    );
    const lines = readFileSync(join(fixture.projectDir, 'var/audit/mcp.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { agent: string; action: string; verdict: string });
    expect(lines.map((line) => [line.agent, line.action, line.verdict])).toEqual([
      ['atlas', 'mcp.list_incidents', 'allowed'],
      ['atlas', 'mcp.list_incidents', 'refused'],
    ]);
  });
});
