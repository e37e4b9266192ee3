import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { ScenarioCatalog } from '../../../demo-controller/src/scenarios/scenario.catalog';
import { SHOP_SERVICE_NAMES } from '../../../demo-shop/src';
import { shopOptionsFromConfig } from '../shop/shop-options.factory';
import { demoOverlay, writeDemoConfig } from './demo-overlay';
import { DEMO_AGENTS, type DemoPortPlan, freeDemoPorts, planDemoPorts } from './demo-port.plan';

const ENV = {
  OPSCREW_SHOP_TOKEN: 'overlay-test-token-0123',
  OPSCREW_API_TOKEN: 'overlay-test-api-token-0123',
};

/** Every place the loaded config names a port of the demo, as one comparable object. */
function portsNamedBy(loaded: LoadedConfig): Omit<DemoPortPlan, 'chosen'> {
  const { config } = loaded;
  const portOf = (url: string | undefined): number => Number(new URL(url ?? '').port);
  const targets = config.integrations.metrics.scrape?.targets ?? {};
  return {
    agents: Object.fromEntries(
      DEMO_AGENTS.map((agent) => [agent, config.agents.get(agent)?.port]),
    ) as DemoPortPlan['agents'],
    shop: Object.fromEntries(
      SHOP_SERVICE_NAMES.map((name) => [name, portOf(targets[name])]),
    ) as DemoPortPlan['shop'],
    supervisor: portOf(config.integrations.runtime.process?.control_url),
    locust: portOf(config.integrations.load.locust.api_url),
  };
}

describe('the demo overlay', () => {
  let runDir: string;
  beforeEach(() => {
    runDir = mkdtempSync(join(tmpdir(), 'opscrew-demo-overlay-'));
  });
  afterEach(() => rmSync(runDir, { recursive: true, force: true }));

  const write = (ports: DemoPortPlan): LoadedConfig =>
    loadConfig({
      configDir: writeDemoConfig({
        sourceConfig: SHIPPED_CONFIG_DIR,
        runDir,
        namespace: 'overlaytest',
        load: { kind: 'builtin' },
        ports,
      }),
      env: ENV,
    });

  it('names by default exactly the ports the shipped config names', () => {
    const { chosen: _chosen, ...defaults } = planDemoPorts();
    expect(portsNamedBy(loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: ENV }))).toEqual(defaults);
    expect(portsNamedBy(write(planDemoPorts()))).toEqual(defaults);
  });

  it("carries a run's ports everywhere: agents, scrape targets, supervisor, Locust", async () => {
    const ports = await freeDemoPorts();
    const loaded = write(ports);
    const { chosen: _chosen, ...expected } = ports;
    expect(portsNamedBy(loaded)).toEqual(expected);
    // The supervisor keeps the shipped token reference; only its URL moved.
    expect(loaded.config.integrations.runtime.process).toEqual({
      control_url: `http://127.0.0.1:${ports.supervisor}`,
      token: ENV.OPSCREW_SHOP_TOKEN,
    });
  });

  it('so the shop listens, and demo-controller loads and injects faults, at those ports', async () => {
    const ports = await freeDemoPorts();
    const loaded = write(ports);
    const shop = shopOptionsFromConfig(loaded);
    expect(shop.endpoints.cart).toBe(`http://127.0.0.1:${ports.shop.cart}`);
    expect(shop.control).toMatchObject({ host: '127.0.0.1', port: ports.supervisor });

    const catalog = new ScenarioCatalog(loaded.config);
    expect(catalog.plan('stress').load?.host).toBe(`http://127.0.0.1:${ports.shop.frontend}`);
    expect(catalog.plan('recommendation_memory_leak').fault?.targets).toEqual([
      { service: 'recommendation', base_url: `http://127.0.0.1:${ports.shop.recommendation}` },
    ]);
  });
  it('deep-merges extra keys over the overlay: objects merge, anything else replaces', () => {
    const overlay = demoOverlay({
      namespace: 'demoextra',
      load: { kind: 'builtin' },
      ports: planDemoPorts(),
      extra: {
        integrations: { tracker: { kind: 'jira' }, metrics: { scrape: { targets: { ad: 'x' } } } },
        thresholds: 7,
      },
    });
    const integrations = overlay['integrations'] as {
      tracker: { kind: string };
      runtime: unknown;
      metrics: { scrape: { targets: Record<string, string> } };
    };
    expect(integrations.tracker.kind).toBe('jira');
    // Kept beside what the extra keys added: the overlay's own runtime and the other targets.
    expect(integrations.runtime).toBeDefined();
    expect(integrations.metrics.scrape.targets['ad']).toBe('x');
    expect(integrations.metrics.scrape.targets['cart']).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/metrics$/,
    );
    expect(overlay['thresholds']).toBe(7);
  });
});
