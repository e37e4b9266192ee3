import { loadConfig } from '../config.loader';
import { ConfigError } from '../load/config-issue';
import { ConfigFixture } from '../testing/config-fixture';

const SHIPPED = 'leader_lease: { ttl_s: 10, safety_margin_s: 2 },';

function errorsOf(fixture: ConfigFixture): string[] {
  try {
    loadConfig({ configDir: fixture.dir, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.lines();
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('bus.leader_lease', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('ships a 10 s lease with a 2 s safety margin, and defaults to them when absent', () => {
    const shipped = loadConfig({ configDir: fixture.dir, env: {} }).config.bus.leader_lease;
    expect(shipped).toMatchObject({ ttl_s: 10, safety_margin_s: 2 });
    fixture.patch('opscrew.json5', SHIPPED, '');
    const defaults = loadConfig({ configDir: fixture.dir, env: {} }).config.bus.leader_lease;
    expect(defaults).toMatchObject({ ttl_s: 10, safety_margin_s: 2 });
  });

  it('names the file and path of a wrong type and of an out-of-range value', () => {
    fixture.patch(
      'opscrew.json5',
      SHIPPED,
      "leader_lease: { ttl_s: 'ten', safety_margin_s: 900 },",
    );
    const errors = errorsOf(fixture).join('\n');
    expect(errors).toMatch(/opscrew\.json5: bus\.leader_lease\.ttl_s: must be a positive number/);
    expect(errors).toMatch(
      /opscrew\.json5: bus\.leader_lease\.safety_margin_s: must be at most 200 s/,
    );
  });

  it('refuses a ttl under 3 s and a margin that would stop the leader before its first renew', () => {
    fixture.patch('opscrew.json5', SHIPPED, 'leader_lease: { ttl_s: 2, safety_margin_s: 1.5 },');
    const errors = errorsOf(fixture).join('\n');
    expect(errors).toMatch(/opscrew\.json5: bus\.leader_lease\.ttl_s: must be at least 3 s/);
    expect(errors).toMatch(
      /opscrew\.json5: bus\.leader_lease\.safety_margin_s: must be below two thirds of ttl_s \(2 s\)/,
    );
  });
});
