import {
  type DynamicModule,
  type InjectionToken,
  Logger,
  Module,
  type ModuleMetadata,
} from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig, type OpscrewConfig } from '@opscrew/config';
import { type MetricsGuardProvider } from '@opscrew/ports';
import { createMetricsSource, type MetricsSourceConfigView } from './metrics-source.factory';
import { METRICS_SOURCE } from './metrics-source.port';
import { type McpToolSet } from './signoz-mcp.metrics-source';

/** The MetricsSourceConfigView of the loaded config: the only part the source reads. */
export const METRICS_SOURCE_CONFIG = Symbol('METRICS_SOURCE_CONFIG');

export interface MetricsSourceModuleOptions {
  /** Modules that export the tokens below (CircuitBreakerModule, McpToolboxModule…). */
  readonly imports?: NonNullable<ModuleMetadata['imports']>;
  /** The MetricsGuardProvider guarding the source (guardrails' CircuitBreakerRegistry). */
  readonly guards: InjectionToken;
  /** The agent's MCP tools (llm's MCP_TOOLBOX), for `signoz-mcp`; absent: none. */
  readonly mcp?: InjectionToken;
}

/** The slice of the config createMetricsSource reads, and nothing else. */
export function metricsSourceConfigOf(config: OpscrewConfig): MetricsSourceConfigView {
  const { metrics, signoz } = config.integrations;
  return {
    integrations: { metrics, ...(signoz === undefined ? {} : { signoz }) },
    thresholds: {
      guardrails: {
        rate_limits: {
          signoz_queries_per_minute:
            config.thresholds.guardrails.rate_limits.signoz_queries_per_minute,
        },
      },
    },
  };
}

/**
 * METRICS_SOURCE as a module: the source `integrations.metrics.source` names, behind the
 * guards the app gives it, built from METRICS_SOURCE_CONFIG (a narrow slice of the config)
 * instead of a factory in each app module. Integrations sit below llm and beside guardrails,
 * so the guards and the MCP tools come in as tokens of modules the app passes in `imports`.
 */
@Module({})
export class MetricsSourceModule {
  static register(options: MetricsSourceModuleOptions): DynamicModule {
    const { guards, mcp } = options;
    return {
      module: MetricsSourceModule,
      imports: [...(options.imports ?? [])],
      providers: [
        {
          provide: METRICS_SOURCE_CONFIG,
          inject: [LOADED_CONFIG],
          useFactory: (loaded: LoadedConfig) => metricsSourceConfigOf(loaded.config),
        },
        {
          provide: METRICS_SOURCE,
          inject: [METRICS_SOURCE_CONFIG, guards, ...(mcp === undefined ? [] : [mcp])],
          useFactory: (
            config: MetricsSourceConfigView,
            guardProvider: MetricsGuardProvider,
            tools?: McpToolSet,
          ) =>
            createMetricsSource(config, {
              guards: guardProvider,
              logger: new Logger('MetricsSource'),
              ...(tools === undefined ? {} : { mcp: tools }),
            }),
        },
      ],
      exports: [METRICS_SOURCE],
    };
  }
}
