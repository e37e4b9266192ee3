import { Test } from '@nestjs/testing';
import { loadConfig, OpscrewConfigModule } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { CIRCUIT_BREAKER_SETTINGS, CircuitBreakerModule } from './circuit-breaker.module';
import { CircuitBreakerRegistry } from './circuit-breaker.registry';

describe('CircuitBreakerModule', () => {
  it('gives the importing module one registry, built from thresholds.guardrails.circuit_breaker', async () => {
    const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: { OPSCREW_SHOP_TOKEN: 't' } });
    const breakers = CircuitBreakerModule.register();
    const moduleRef = await Test.createTestingModule({
      imports: [OpscrewConfigModule.forRoot({ agent: 'ops-monitor', loaded }), breakers],
    }).compile();
    const registry = moduleRef.get(CircuitBreakerRegistry);
    expect(registry).toBeInstanceOf(CircuitBreakerRegistry);
    expect(registry.breaker('scrape:cart')).toBe(registry.breaker('scrape:cart'));
    expect(moduleRef.get(CIRCUIT_BREAKER_SETTINGS, { strict: false })).toEqual(
      loaded.config.thresholds.guardrails.circuit_breaker,
    );
    await moduleRef.close();
  });
});
