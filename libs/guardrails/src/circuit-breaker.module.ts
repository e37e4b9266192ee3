import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { CircuitBreakerRegistry } from './circuit-breaker.registry';

/** `thresholds.guardrails.circuit_breaker`: the only part of the config the breakers read. */
export const CIRCUIT_BREAKER_SETTINGS = Symbol('CIRCUIT_BREAKER_SETTINGS');

export type CircuitBreakerSettings = ConstructorParameters<typeof CircuitBreakerRegistry>[0];

/**
 * The agent's breakers and rate limits (CircuitBreakerRegistry, a MetricsGuardProvider) as a
 * module: one registry per importing app, so what guards its metrics source is what its
 * `/metrics` reports.
 */
@Module({})
export class CircuitBreakerModule {
  static register(): DynamicModule {
    return {
      module: CircuitBreakerModule,
      providers: [
        {
          provide: CIRCUIT_BREAKER_SETTINGS,
          inject: [LOADED_CONFIG],
          useFactory: (loaded: LoadedConfig): CircuitBreakerSettings =>
            loaded.config.thresholds.guardrails.circuit_breaker,
        },
        {
          provide: CircuitBreakerRegistry,
          inject: [CIRCUIT_BREAKER_SETTINGS],
          useFactory: (settings: CircuitBreakerSettings) =>
            new CircuitBreakerRegistry(settings, { logger: new Logger('CircuitBreaker') }),
        },
      ],
      exports: [CircuitBreakerRegistry],
    };
  }
}
