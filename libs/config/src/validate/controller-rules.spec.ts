import { loadConfig } from '../config.loader';
import { ConfigError } from '../load/config-issue';
import { ConfigFixture } from '../testing/config-fixture';

const ENV = { OPSCREW_SHOP_TOKEN: 'test' };

function errorsOf(fixture: ConfigFixture): string[] {
  try {
    loadConfig({ configDir: fixture.dir, env: ENV });
  } catch (error) {
    if (error instanceof ConfigError) return error.lines();
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

/** demo-controller's cross-field rules: scenarios, lock policy, load entry. */
describe('demo-controller controller rules', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('accepts the shipped scenarios, with their defaults', () => {
    const controller = loadConfig({ configDir: fixture.dir, env: ENV }).config.agents.get(
      'demo-controller',
    )?.controller;
    expect(controller?.entry_service).toBe('frontend');
    expect(controller?.learning.settle_s).toBe(300);
    expect(controller?.scenarios.get('flagd_cart_failure')?.background_load).toBe('normal');
  });

  it('a locked load never runs past max_hold_s; a lease never longer than the hold', () => {
    fixture.patch('agents/demo-controller.json5', 'duration_s: 180,', 'duration_s: 3600,');
    fixture.patch('agents/demo-controller.json5', 'lease_s: 60,', 'lease_s: 2400,');
    expect(errorsOf(fixture)).toEqual([
      'agents/demo-controller.json5: controller.lock.lease_s: must not exceed max_hold_s (1800 s)',
      'agents/demo-controller.json5: controller.scenarios.stress.duration_s: a scenario holding the lock runs at most lock.max_hold_s (1800 s), got 3600 s',
    ]);
  });

  it('background load must be a lock-free load scenario; the entry service must be watched', () => {
    fixture.patch(
      'agents/demo-controller.json5',
      "background_load: 'normal', // a flag",
      "background_load: 'stress', // a flag",
    );
    fixture.patch(
      'agents/demo-controller.json5',
      "entry_service: 'frontend',",
      "entry_service: 'frontnd',",
    );
    expect(errorsOf(fixture)).toEqual([
      'agents/demo-controller.json5: controller.entry_service: unknown service "frontnd"',
      'agents/demo-controller.json5: controller.load_host: is required for load scenarios when the entry service "frontnd" has no scrape target',
      'agents/demo-controller.json5: controller.scenarios.flagd_adservice_failure.background_load: must name a load scenario without hold_lock, got "stress"',
    ]);
  });
});
