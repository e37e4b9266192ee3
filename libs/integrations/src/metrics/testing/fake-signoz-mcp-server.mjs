// A SigNoz MCP server stand-in for tests, shaped like SigNoz/signoz-mcp-server v0.13's
// `signoz_list_services`: the same environment (SIGNOZ_URL, SIGNOZ_API_KEY, TRANSPORT_MODE),
// the same string-or-int arguments (start/end epoch ms, limit, offset), the same upstream call
// (POST {SIGNOZ_URL}/api/v1/services with start/end as epoch-ns strings and the
// SIGNOZ-API-KEY header — so the SigNoz contract server checks it against SigNoz's spec), and
// the same answer: the items as SigNoz sent them inside {data, pagination}. Upstream failures
// come back as a tool error, as the real server reports them.
// JavaScript (ESM) on purpose: Node runs it as is. TRANSPORT_MODE=http serves streamable HTTP
// on 127.0.0.1 (port 0) and prints `listening <port>` on stdout; otherwise stdio.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const SIGNOZ_URL = (process.env.SIGNOZ_URL ?? '').replace(/\/+$/, '');
const SIGNOZ_API_KEY = process.env.SIGNOZ_API_KEY ?? '';
const intOrString = z.union([z.string(), z.number().int()]).optional();

function buildServer() {
  const server = new McpServer({ name: 'signoz-mcp-server', version: '0.13.0' });
  server.registerTool(
    'signoz_list_services',
    {
      description: 'APM services with trace activity and their call or latency summaries.',
      inputSchema: {
        searchContext: z.string().optional(),
        timeRange: z.string().optional(),
        start: intOrString,
        end: intOrString,
        limit: intOrString,
        offset: intOrString,
      },
    },
    async ({ start, end, limit, offset }) => {
      const endMs = end === undefined ? Date.now() : Number(end);
      const startMs = start === undefined ? endMs - 6 * 3600_000 : Number(start);
      if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs)) {
        return toolError('Parameter validation failed: start/end must be unix milliseconds');
      }
      const response = await fetch(`${SIGNOZ_URL}/api/v1/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'SIGNOZ-API-KEY': SIGNOZ_API_KEY },
        body: JSON.stringify({
          start: `${BigInt(startMs) * 1_000_000n}`,
          end: `${BigInt(endMs) * 1_000_000n}`,
          tags: [],
        }),
      });
      const text = await response.text();
      if (!response.ok) return toolError(`upstream error: HTTP ${response.status}: ${text}`);
      const services = JSON.parse(text) ?? [];
      const size = Math.min(Number(limit ?? 50), 1000);
      const from = Number(offset ?? 0);
      const page = services.slice(from, from + size).map((item) => ({
        ...item,
        webUrl: `${SIGNOZ_URL}/services/${encodeURIComponent(item.serviceName)}`,
      }));
      const nextOffset = from + size >= services.length ? -1 : from + size;
      const body = {
        data: page,
        pagination: {
          total: services.length,
          offset: from,
          limit: size,
          hasMore: nextOffset !== -1,
          nextOffset,
        },
      };
      return { content: [{ type: 'text', text: JSON.stringify(body) }] };
    },
  );
  return server;
}

function toolError(message) {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

if (process.env.TRANSPORT_MODE === 'http') {
  // Stateless: one server and transport per request, as the SDK's stateless example does.
  const http = createServer(async (req, res) => {
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, raw === '' ? undefined : JSON.parse(raw));
  });
  http.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${http.address().port}\n`);
  });
  process.on('SIGTERM', () => http.close(() => process.exit(0)));
} else {
  await buildServer().connect(new StdioServerTransport());
}
