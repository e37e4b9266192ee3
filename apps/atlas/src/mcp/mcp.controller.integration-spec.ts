import { type INestApplication } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConfigFixture } from '@opscrew/config/testing';
import { freePort } from '@opscrew/integrations';
import { type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { startAtlas } from '../main';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

describe("atlas's POST /mcp (streamable HTTP, stateless)", () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  let bus: NatsConnectionService;
  let app: INestApplication;
  let base: string;
  const token = 'mcp-test-token-0123456789';
  const auth = { Authorization: `Bearer ${token}` };
  const saved = {
    PORT: process.env['PORT'],
    NATS_URL: process.env['NATS_URL'],
    OPSCREW_API_TOKEN: process.env['OPSCREW_API_TOKEN'],
  };

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'mcp-http-test'));
    fixture.patch(
      'opscrew.json5',
      "stream: 'OPS',",
      `stream: 'OPS',\n    namespace: '${namespace}',`,
    );
    // The shipped config has no token (mutating endpoints off): switch /mcp on as an overlay would.
    fixture.patch(
      'opscrew.json5',
      "host: '${OPSCREW_HTTP_HOST}',",
      "host: '${OPSCREW_HTTP_HOST}',\n    api_token: '${OPSCREW_API_TOKEN}',",
    );
    fixture.patch(
      'opscrew.json5',
      'mcp_server: { enabled: true, allow_ack: false },',
      'mcp_server: { enabled: true, allow_ack: true },',
    );
    const port = await freePort();
    process.env['PORT'] = String(port);
    process.env['NATS_URL'] = NATS_URL;
    process.env['OPSCREW_API_TOKEN'] = token;
    app = await startAtlas({ configDir: fixture.dir });
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await removeTestTopology(bus);
    await bus.close();
    fixture.remove();
  });

  it('answers an MCP client: the tools, ack_incident included when allowed, and a call', async () => {
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: auth } }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual([
        'list_incidents',
        'get_incident',
        'list_locks',
        'agent_status',
        'ack_incident',
      ]);
      const result = (await client.callTool({
        name: 'get_incident',
        arguments: { incident_id: 'nope' },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain('incident_id: must be an incident id');
    } finally {
      await client.close();
    }
  });

  it('refuses a call without the bearer token (401), naming what to send', async () => {
    const response = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('missing \\"Authorization: Bearer <token>\\" header');
  });

  it('GET and DELETE answer 405: no sessions, no server-initiated stream', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${base}/mcp`, { method, headers: auth });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
      const req = request(
        `${base}/mcp`,
        {
          method: 'POST',
          headers: {
            ...auth,
            host: 'attacker.example:80',
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(403);
  });
});
