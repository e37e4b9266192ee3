import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  MetricsSourceError,
  SignozMcpMetricsSource,
  SignozMetricsSource,
} from '@opscrew/integrations';
import {
  FAKE_SIGNOZ_MCP_SERVER_PATH,
  SignozContractServer,
  type SignozServiceFixture,
} from '@opscrew/integrations/testing';
import { McpToolbox, type McpServerSpec } from './mcp-toolbox';

const API_KEY = 'signoz-mcp-test-key';
const NOW = Date.parse('2026-11-25T03:00:00.000Z');

const service = (name: string, p99Ms: number, errorPercent: number): SignozServiceFixture => ({
  serviceName: name,
  p99: p99Ms * 1_000_000, // SigNoz reports nanoseconds
  avgDuration: (p99Ms / 4) * 1_000_000,
  numCalls: 600,
  callRate: 10,
  numErrors: (600 * errorPercent) / 100,
  errorRate: errorPercent, // a percentage, not a ratio
  num4XX: 0,
  fourXXRate: 0,
});

/**
 * The `signoz-mcp` metrics source end to end: McpToolbox (stdio and
 * streamable HTTP) → a server shaped like SigNoz's MCP server → the SigNoz
 * contract server, which checks every upstream request against SigNoz's spec.
 * The numbers must equal those of the `signoz` HTTP source on the same data.
 */
describe('the signoz-mcp metrics source through McpToolbox', () => {
  let signoz: SignozContractServer;
  const boxes: McpToolbox[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    signoz = await SignozContractServer.start({ apiKey: API_KEY });
  });
  afterAll(async () => {
    await Promise.all(boxes.map((box) => box.close()));
    for (const child of children) child.kill('SIGTERM');
    await signoz.close();
  });
  beforeEach(() => {
    signoz.requests.length = 0;
    signoz.services = [service('cart', 850, 12.5), service('checkout', 120, 0.2)];
  });

  const stdioSpec = (apiKey = API_KEY): McpServerSpec => ({
    transport: 'stdio',
    command: process.execPath,
    args: [FAKE_SIGNOZ_MCP_SERVER_PATH],
    env: { SIGNOZ_URL: signoz.url, SIGNOZ_API_KEY: apiKey },
    agents: ['ops-monitor'],
  });

  const connect = async (spec: McpServerSpec): Promise<McpToolbox> => {
    const box = await McpToolbox.connect({
      agent: 'ops-monitor',
      servers: new Map([['signoz', spec]]),
    });
    boxes.push(box);
    expect(box.failures).toEqual(new Map());
    return box;
  };

  const source = (box: McpToolbox) =>
    new SignozMcpMetricsSource({ mcp: box, timeoutMs: 10_000, now: () => NOW });

  it('over stdio: the same samples as the HTTP source, units converted, idle services missing', async () => {
    const box = await connect(stdioSpec());
    expect(box.tools().map((tool) => tool.name)).toEqual(['signoz_list_services']);
    const viaMcp = await source(box).collect(['cart', 'checkout', 'payment']);
    expect(viaMcp.samples).toEqual([
      expect.objectContaining({
        service: 'cart',
        latency_p99_ms: 850,
        error_rate_ratio: 0.125,
        request_rate_rps: 10,
      }),
      expect.objectContaining({
        service: 'checkout',
        latency_p99_ms: 120,
        error_rate_ratio: 0.002,
      }),
    ]);
    expect(viaMcp.missing).toEqual([
      { service: 'payment', reason: 'no traffic reported by SigNoz' },
    ]);
    // The MCP server asked SigNoz exactly as the spec wants: ns strings, the API key.
    expect(signoz.requests).toHaveLength(1);
    expect(signoz.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/services',
      apiKey: API_KEY,
      refused: null,
    });
    const viaHttp = await new SignozMetricsSource({
      config: { url: signoz.url, api_key: API_KEY, timeout_ms: 5000, use_v2_services: false },
      now: () => NOW,
    }).collect(['cart', 'checkout', 'payment']);
    expect(viaMcp).toEqual(viaHttp);
  });

  it('follows the pagination: 1,500 services in two pages', async () => {
    signoz.services = Array.from({ length: 1500 }, (_, i) => service(`svc-${i}`, 10 + i, 0));
    const snapshot = await source(await connect(stdioSpec())).collect(['svc-0', 'svc-1499']);
    expect(snapshot.samples.map((s) => [s.service, s.latency_p99_ms])).toEqual([
      ['svc-0', 10],
      ['svc-1499', 1509],
    ]);
    expect(signoz.requests).toHaveLength(2);
  });

  it('an upstream failure or a refused key is a clear MetricsSourceError (the breaker counts it)', async () => {
    const box = await connect(stdioSpec());
    signoz.failNext(503, {
      status: 'error',
      error: { code: 'unavailable', message: 'ClickHouse down' },
    });
    await expect(source(box).collect(['cart'])).rejects.toThrow(
      /^SigNoz MCP signoz_list_services failed: upstream error: HTTP 503: .*ClickHouse down/,
    );
    const wrongKey = await connect(stdioSpec('not-the-key'));
    const refused = source(wrongKey).collect(['cart']);
    await expect(refused).rejects.toBeInstanceOf(MetricsSourceError);
    await expect(refused).rejects.toThrow(/HTTP 401/);
  });

  it('over streamable HTTP (TRANSPORT_MODE=http): the same answer', async () => {
    const child = spawn(process.execPath, [FAKE_SIGNOZ_MCP_SERVER_PATH], {
      env: {
        ...process.env,
        TRANSPORT_MODE: 'http',
        SIGNOZ_URL: signoz.url,
        SIGNOZ_API_KEY: API_KEY,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const port = /^listening (\d+)/.exec(line.toString('utf8'))?.[1];
    expect(port).toBeDefined();
    const box = await connect({
      transport: 'http',
      url: `http://127.0.0.1:${port}/mcp`,
      agents: ['ops-monitor'],
    });
    const snapshot = await source(box).collect(['cart']);
    expect(snapshot.samples).toEqual([
      expect.objectContaining({ service: 'cart', latency_p99_ms: 850, error_rate_ratio: 0.125 }),
    ]);
  });

  it('says what is missing when no server offers signoz_list_services', async () => {
    const empty = await McpToolbox.connect({ agent: 'ops-monitor', servers: new Map() });
    await expect(source(empty).collect(['cart'])).rejects.toThrow(
      /SigNoz MCP: no signoz_list_services tool \(is an mcp_servers entry running signoz-mcp-server/,
    );
  });
});
