import { loadConfig, type OpscrewConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { CircuitBreakerRegistry, RateLimitedError } from '@opscrew/guardrails';
import { isTraceSearch } from './guarded.metrics-source';
import { type HttpFetch } from './metrics-http';
import { createMetricsSource, type MetricsSourceConfigView } from './metrics-source.factory';

function view(
  metrics: MetricsSourceConfigView['integrations']['metrics'],
  signoz?: MetricsSourceConfigView['integrations']['signoz'],
): MetricsSourceConfigView {
  return {
    integrations: { metrics, ...(signoz === undefined ? {} : { signoz }) },
    thresholds: { guardrails: { rate_limits: { signoz_queries_per_minute: 30 } } },
  };
}

describe('createMetricsSource', () => {
  let now: number;
  let guards: CircuitBreakerRegistry;
  const logged: string[] = [];
  const logger = { log: (m: string) => logged.push(m) };

  beforeEach(() => {
    now = Date.parse('2025-03-01T10:00:00.000Z');
    guards = new CircuitBreakerRegistry(
      { failure_threshold: 3, reset_timeout_s: 60 },
      { now: () => now },
    );
    logged.length = 0;
  });

  it('the shipped configuration gives the scrape source with one breaker per demo-shop target', () => {
    const { config } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    const source = createMetricsSource(config, { guards, logger });
    expect(source.kind).toBe('scrape');
    expect(source.guards.breaker).toBeUndefined();
    expect(guards.breakers.map((b) => b.name)).toEqual([
      'scrape:frontend',
      'scrape:ad',
      'scrape:cart',
      'scrape:checkout',
      'scrape:currency',
      'scrape:payment',
      'scrape:product-catalog',
      'scrape:recommendation',
      'scrape:shipping',
    ]);
    expect(isTraceSearch(source)).toBe(false);
    expect(logged).toEqual(['metrics source: scrape of 9 targets']);
    // An OpscrewConfig is a MetricsSourceConfigView.
    const typed: OpscrewConfig = config;
    expect(typed).toBeDefined();
  });

  it('prometheus: one breaker for the API, no rate limit', () => {
    const source = createMetricsSource(
      view({
        source: 'prometheus',
        prometheus: {
          url: 'http://127.0.0.1:9090',
          timeout_ms: 5000,
          service_label: 'job',
          rate_window: '1m',
        },
      }),
      { guards },
    );
    expect(source.kind).toBe('prometheus');
    expect(source.guards.breaker?.name).toBe('prometheus');
    expect(guards.breakers.map((b) => b.name)).toEqual(['prometheus']);
  });

  it('signoz: one breaker, signoz_queries_per_minute, and trace search', async () => {
    let calls = 0;
    const http: HttpFetch = () => {
      calls++;
      return Promise.resolve(new Response('{"status":"success","data":[]}'));
    };
    const source = createMetricsSource(
      view(
        { source: 'signoz' },
        { url: 'https://signoz.example', api_key: 'k', timeout_ms: 1000, use_v2_services: true },
      ),
      { guards, http, now: () => now },
    );
    expect(source.kind).toBe('signoz');
    expect(isTraceSearch(source)).toBe(true);
    for (let i = 0; i < 30; i++) await source.collect(['cart']);
    await expect(source.collect(['cart'])).rejects.toBeInstanceOf(RateLimitedError);
    expect(calls).toBe(30);
  });

  it('signoz-mcp: needs the MCP server, then collects through it under the signoz budget', async () => {
    const signoz = {
      url: 'https://signoz.example',
      api_key: 'k',
      timeout_ms: 1000,
      use_v2_services: true,
    };
    expect(() => createMetricsSource(view({ source: 'signoz-mcp' }, signoz), { guards })).toThrow(
      'integrations.metrics.source "signoz-mcp" needs an mcp_servers entry running SigNoz\'s MCP server',
    );
    expect(() => createMetricsSource(view({ source: 'signoz-mcp' }), { guards })).toThrow(
      'integrations.signoz is required when integrations.metrics.source is "signoz-mcp"',
    );
    let calls = 0;
    const mcp = {
      tools: () => [
        {
          name: 'signoz_list_services',
          call: () => {
            calls++;
            return Promise.resolve({
              content: '{"data":[],"pagination":{"hasMore":false}}',
              is_error: false,
            });
          },
        },
      ],
    };
    const source = createMetricsSource(view({ source: 'signoz-mcp' }, signoz), {
      guards,
      mcp,
      now: () => now,
    });
    expect(source.kind).toBe('signoz-mcp');
    expect(source.guards.breaker?.name).toBe('signoz-mcp');
    expect(isTraceSearch(source)).toBe(false);
    for (let i = 0; i < 30; i++) await source.collect(['cart']);
    await expect(source.collect(['cart'])).rejects.toBeInstanceOf(RateLimitedError);
    expect(calls).toBe(30);
  });

  it('passes integrations.metrics.request_status to every source; SigNoz sources refuse what span status cannot tell', () => {
    const signoz = {
      url: 'https://signoz.example',
      api_key: 'k',
      timeout_ms: 1000,
      use_v2_services: true,
    };
    const mcp = { tools: () => [] };
    const throttling = { labels: ['status'], error_prefixes: ['5', '429'] };
    expect(
      createMetricsSource(
        view({
          source: 'prometheus',
          request_status: throttling,
          prometheus: {
            url: 'http://127.0.0.1:9090',
            timeout_ms: 5000,
            service_label: 'job',
            rate_window: '1m',
          },
        }),
        { guards },
      ).kind,
    ).toBe('prometheus');
    for (const source of ['signoz', 'signoz-mcp'] as const) {
      expect(() =>
        createMetricsSource(view({ source, request_status: throttling }, signoz), { guards, mcp }),
      ).toThrow(
        `integrations.metrics.request_status.error_prefixes cannot be used with the ${source} source: SigNoz counts a request as failed by its span status`,
      );
      expect(
        createMetricsSource(
          view({ source, request_status: { labels: ['status'], error_prefixes: ['5'] } }, signoz),
          { guards, mcp },
        ).kind,
      ).toBe(source);
    }
  });

  it('a missing section names the config path', () => {
    expect(() => createMetricsSource(view({ source: 'scrape' }), { guards })).toThrow(
      'integrations.metrics.scrape is required when integrations.metrics.source is "scrape"',
    );
    expect(() => createMetricsSource(view({ source: 'prometheus' }), { guards })).toThrow(
      'integrations.metrics.prometheus is required when integrations.metrics.source is "prometheus"',
    );
    expect(() => createMetricsSource(view({ source: 'signoz' }), { guards })).toThrow(
      'integrations.signoz is required when integrations.metrics.source is "signoz"',
    );
  });
});
