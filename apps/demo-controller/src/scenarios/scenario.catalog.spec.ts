import { shippedConfig, withScenario } from '../testing/fakes';
import { ScenarioCatalog } from './scenario.catalog';
import { ScenarioNotFoundError, ScenarioSetupError } from './scenario.errors';

const SHOP = [
  'frontend',
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
];

describe('ScenarioCatalog', () => {
  const config = shippedConfig().config;
  const catalog = new ScenarioCatalog(config);

  it("lists the seed's nine scenarios and the three restart-curable faults", () => {
    expect(catalog.names()).toEqual([
      'normal',
      'high',
      'stress',
      'spike',
      'recovery',
      'flagd_adservice_failure',
      'flagd_cart_failure',
      'flagd_payment_failure',
      'flagd_product_failure',
      'recommendation_memory_leak',
      'shipping_latency_creep',
      'product_catalog_pool_exhaustion',
    ]);
    expect(catalog.summaries().find((s) => s.name === 'stress')).toMatchObject({
      kind: 'load',
      users: 200,
      spawn_rate: 50,
      duration_s: 180,
      hold_lock: true,
      services: SHOP,
    });
  });

  it('plans load through the frontend to every service with a scrape target, all locked for stress', () => {
    const plan = catalog.plan('stress', 0.05);
    expect(plan).toMatchObject({
      kind: 'load',
      duration_ms: 9_000,
      services: SHOP,
      expected_services: SHOP,
      expected_symptoms: ['high_latency', 'high_error_rate'],
      required: [],
      hold_lock: true,
      load: {
        users: 200,
        spawn_rate: 50,
        host: 'http://127.0.0.1:7100',
        entry_service: 'frontend',
        from: 'stress',
      },
    });
    expect(catalog.plan('recovery').precondition).toBe('stress');
  });

  it('plans a flag with its background traffic; its callers may show the failure too', () => {
    const plan = catalog.plan('flagd_cart_failure');
    expect(plan).toMatchObject({
      kind: 'flag',
      services: ['cart'],
      flag: { name: 'cartFailure', variant: '100%' },
      load: { users: 10, spawn_rate: 2, from: 'normal' },
      hold_lock: false,
      remediation_expected: false,
      escalation_expected: true,
      required: [
        {
          service: 'cart',
          symptom: 'high_error_rate',
          satisfied_by: ['cart'],
          because: 'flag cartFailure injected on cart',
        },
      ],
    });
    // frontend and checkout call cart: errors there are explained, not false positives.
    expect([...plan.expected_services].sort()).toEqual([
      'cart',
      'checkout',
      'frontend',
      'frontend-proxy',
    ]);
  });

  it("plans a fault at each target service's own origin", () => {
    const withFault = withScenario(config, 'fault_recommendation_leak', {
      kind: 'fault',
      fault: 'memory_leak',
      duration_s: 120,
      target_services: ['recommendation'],
      expected: {
        services: [],
        symptoms: ['high_latency', 'high_error_rate'],
        remediation_expected: true,
        escalation_expected: false,
      },
    });
    const plan = new ScenarioCatalog(withFault).plan('fault_recommendation_leak');
    expect(plan.fault).toEqual({
      name: 'memory_leak',
      targets: [{ service: 'recommendation', base_url: 'http://127.0.0.1:7107' }],
    });
    // One fault, one detection owed: by its latency or by its errors.
    expect(plan.required).toEqual([
      expect.objectContaining({
        service: 'recommendation',
        symptom: 'high_latency',
        or_symptoms: ['high_error_rate'],
      }),
    ]);
    expect(plan.remediation_expected).toBe(true);
  });

  it('sends faults only to loopback or to a host listed in fault_hosts (containers)', () => {
    const inContainers = (faultHosts: string[] | undefined) => {
      const copy = withScenario(config, 'fault_recommendation_leak', {
        kind: 'fault',
        fault: 'memory_leak',
        duration_s: 120,
        target_services: ['recommendation'],
        expected: {
          services: [],
          symptoms: ['high_error_rate'],
          remediation_expected: true,
          escalation_expected: false,
        },
      });
      const scrape = copy.integrations.metrics.scrape;
      const agent = copy.agents.get('demo-controller');
      if (!scrape || !agent?.controller) throw new Error('the shipped config scrapes the shop');
      // Copies all the way down: the shipped config is shared by every test.
      return new ScenarioCatalog({
        ...copy,
        integrations: {
          ...copy.integrations,
          metrics: {
            ...copy.integrations.metrics,
            scrape: {
              ...scrape,
              targets: { ...scrape.targets, recommendation: 'http://recommendation:7107/metrics' },
            },
          },
        },
        agents: new Map([
          ...copy.agents,
          [
            'demo-controller',
            {
              ...agent,
              controller: {
                ...agent.controller,
                ...(faultHosts ? { fault_hosts: faultHosts } : {}),
              },
            },
          ],
        ]),
      });
    };
    expect(() => inContainers(undefined).plan('fault_recommendation_leak')).toThrow(
      ScenarioSetupError,
    );
    expect(
      inContainers(['recommendation']).plan('fault_recommendation_leak').fault?.targets,
    ).toEqual([{ service: 'recommendation', base_url: 'http://recommendation:7107' }]);
  });

  it('names what is wrong: an unknown scenario, a bad scale', () => {
    expect(() => catalog.plan('strss')).toThrow(ScenarioNotFoundError);
    expect(() => catalog.plan('strss')).toThrow(
      'unknown scenario "strss" (configured in agents/demo-controller.json5: normal, high, stress,',
    );
    expect(() => catalog.plan('normal', 2)).toThrow(ScenarioSetupError);
    expect(() => catalog.plan('normal', 0)).toThrow('durationScale must be in (0, 1], got 0');
  });
});
