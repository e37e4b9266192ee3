import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig, OpscrewConfigModule } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { CircuitBreakerModule, CircuitBreakerRegistry } from '@opscrew/guardrails';
import { GuardedMetricsSource } from './guarded.metrics-source';
import { type MetricsSourceConfigView } from './metrics-source.factory';
import { metricsSourceConfigOf, MetricsSourceModule } from './metrics-source.module';
import { METRICS_SOURCE } from './metrics-source.port';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: { OPSCREW_SHOP_TOKEN: 't' } });

describe('MetricsSourceModule', () => {
  it('builds the configured source behind the guards of the module the app passes', async () => {
    const breakers = CircuitBreakerModule.register();
    const moduleRef = await Test.createTestingModule({
      imports: [
        OpscrewConfigModule.forRoot({ agent: 'ops-monitor', loaded }),
        breakers,
        MetricsSourceModule.register({ imports: [breakers], guards: CircuitBreakerRegistry }),
      ],
    }).compile();
    const source = moduleRef.get<GuardedMetricsSource>(METRICS_SOURCE);
    expect(source).toBeInstanceOf(GuardedMetricsSource);
    await moduleRef.close();
  });

  it('reads only its slice of the config', () => {
    const view: MetricsSourceConfigView = metricsSourceConfigOf(loaded.config);
    expect(Object.keys(view.integrations).sort()).toEqual(
      loaded.config.integrations.signoz === undefined ? ['metrics'] : ['metrics', 'signoz'],
    );
    expect(view.thresholds).toEqual({
      guardrails: {
        rate_limits: {
          signoz_queries_per_minute:
            loaded.config.thresholds.guardrails.rate_limits.signoz_queries_per_minute,
        },
      },
    });
  });

  it('fails at start-up when the guards token is not exported by its imports', async () => {
    @Module({})
    class Empty {}
    await expect(
      Test.createTestingModule({
        imports: [
          OpscrewConfigModule.forRoot({ agent: 'ops-monitor', loaded }),
          MetricsSourceModule.register({ imports: [Empty], guards: CircuitBreakerRegistry }),
        ],
      }).compile(),
    ).rejects.toThrow(/CircuitBreakerRegistry/);
  });
});
