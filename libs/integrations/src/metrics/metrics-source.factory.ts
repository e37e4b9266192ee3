import { type MetricsConfig, type SignozConfig } from '@opscrew/config';
import { type MetricsGuardProvider } from '@opscrew/ports';
import { GuardedMetricsSource, GuardedSearchSource } from './guarded.metrics-source';
import { type HttpFetch } from './metrics-http';
import { PrometheusMetricsSource } from './prometheus.metrics-source';
import { DEFAULT_REQUEST_STATUS, type RequestStatusConventions } from './request-status';
import { ScrapeMetricsSource } from './scrape.metrics-source';
import { type McpToolSet, SignozMcpMetricsSource } from './signoz-mcp.metrics-source';
import { SignozMetricsSource } from './signoz.metrics-source';

/** The part of `OpscrewConfig` the factory reads (an `OpscrewConfig` is one). */
export interface MetricsSourceConfigView {
  readonly integrations: {
    readonly metrics: Pick<MetricsConfig, 'source' | 'scrape' | 'prometheus'> & {
      /** Absent: the shipped conventions (DEFAULT_REQUEST_STATUS). */
      readonly request_status?: RequestStatusConventions;
    };
    readonly signoz?: SignozConfig;
  };
  readonly thresholds: {
    readonly guardrails: { readonly rate_limits: { readonly signoz_queries_per_minute: number } };
  };
}

export interface MetricsSourceDeps {
  /**
   * Breakers and rate limits, e.g. guardrails' registry:
   * `new CircuitBreakerRegistry(config.thresholds.guardrails.circuit_breaker, { logger })`.
   */
  readonly guards: MetricsGuardProvider;
  /** Defaults to the global `fetch`. */
  readonly http?: HttpFetch;
  /** Epoch ms; defaults to `Date.now`. */
  readonly now?: () => number;
  /** Nest's `Logger` will do. */
  readonly logger?: { log(message: string): void };
  /** Per-service memory limits (scrape only), when known. */
  readonly memoryLimitBytes?: Readonly<Record<string, number>>;
  /** The agent's connected MCP servers (libs/llm's McpToolbox): `signoz-mcp` only. */
  readonly mcp?: McpToolSet;
}

/**
 * The metrics source `integrations.metrics.source` names, behind its guards:
 * `scrape` with one breaker per target and no rate limit (local endpoints),
 * `prometheus` with one breaker and no rate limit, `signoz` with one breaker
 * and `rate_limits.signoz_queries_per_minute` (it also searches traces),
 * `signoz-mcp` the same through SigNoz's MCP server (`deps.mcp`).
 */
export function createMetricsSource(
  config: MetricsSourceConfigView,
  deps: MetricsSourceDeps,
): GuardedMetricsSource {
  const { metrics, signoz } = config.integrations;
  const requestStatus = metrics.request_status ?? DEFAULT_REQUEST_STATUS;
  const common = {
    ...(deps.http === undefined ? {} : { http: deps.http }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  };
  switch (metrics.source) {
    case 'scrape': {
      const scrape = required(metrics.scrape, 'integrations.metrics.scrape', metrics.source);
      deps.logger?.log(`metrics source: scrape of ${Object.keys(scrape.targets).length} targets`);
      const source = new ScrapeMetricsSource({
        ...common,
        config: scrape,
        requestStatus,
        breakerFor: (name) => deps.guards.breaker(name),
        ...(deps.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: deps.memoryLimitBytes }),
      });
      return new GuardedMetricsSource(source, { rateLimit: deps.guards.rateLimit('scrape', null) });
    }
    case 'prometheus': {
      const prometheus = required(
        metrics.prometheus,
        'integrations.metrics.prometheus',
        metrics.source,
      );
      deps.logger?.log(`metrics source: Prometheus at ${prometheus.url}`);
      const source = new PrometheusMetricsSource({
        ...common,
        config: prometheus,
        requestStatus,
      });
      return new GuardedMetricsSource(source, {
        breaker: deps.guards.breaker('prometheus'),
        rateLimit: deps.guards.rateLimit('prometheus', null),
      });
    }
    case 'signoz': {
      const settings = required(signoz, 'integrations.signoz', metrics.source);
      deps.logger?.log(`metrics source: SigNoz at ${settings.url}`);
      const source = new SignozMetricsSource({
        ...common,
        config: settings,
        errorPrefixes: requestStatus.error_prefixes,
      });
      return new GuardedSearchSource(source, {
        breaker: deps.guards.breaker('signoz'),
        rateLimit: deps.guards.rateLimit(
          'signoz',
          config.thresholds.guardrails.rate_limits.signoz_queries_per_minute,
        ),
      });
    }
    case 'signoz-mcp': {
      const settings = required(signoz, 'integrations.signoz', metrics.source);
      if (deps.mcp === undefined) {
        throw new Error(
          'integrations.metrics.source "signoz-mcp" needs an mcp_servers entry running ' +
            "SigNoz's MCP server (signoz-mcp-server) that lists this agent in its agents",
        );
      }
      deps.logger?.log("metrics source: SigNoz through its MCP server's signoz_list_services");
      return new GuardedMetricsSource(
        new SignozMcpMetricsSource({
          mcp: deps.mcp,
          timeoutMs: settings.timeout_ms,
          errorPrefixes: requestStatus.error_prefixes,
          ...(deps.now === undefined ? {} : { now: deps.now }),
        }),
        {
          breaker: deps.guards.breaker('signoz-mcp'),
          // The MCP server queries SigNoz once per page: the same budget as the HTTP route.
          rateLimit: deps.guards.rateLimit(
            'signoz',
            config.thresholds.guardrails.rate_limits.signoz_queries_per_minute,
          ),
        },
      );
    }
    default: {
      const unknown: never = metrics.source;
      throw new Error(`integrations.metrics.source: unknown source ${JSON.stringify(unknown)}`);
    }
  }
}

function required<T>(section: T | undefined, path: string, source: string): T {
  if (section === undefined) {
    throw new Error(`${path} is required when integrations.metrics.source is "${source}"`);
  }
  return section;
}
