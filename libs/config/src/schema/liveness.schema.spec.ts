import { ConfigError } from '../load/config-issue';
import { loadConfig } from '../config.loader';
import { ConfigFixture } from '../testing/config-fixture';

const SHIPPED_LIVENESS = "runtime: { kind: 'supervisor' },";

function errorsOf(fixture: ConfigFixture): string[] {
  try {
    loadConfig({ configDir: fixture.dir, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.lines();
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe("atlas's liveness: restart settings", () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('ships notify_and_restart through the supervisor, 3 restarts in 15 minutes', () => {
    const liveness = loadConfig({ configDir: fixture.dir, env: {} }).config.agents.get(
      'atlas',
    )?.liveness;
    expect(liveness).toMatchObject({
      on_stale: 'notify_and_restart',
      runtime: { kind: 'supervisor' },
      restart_loop: { max_restarts: 3, window_minutes: 15 },
    });
  });

  it('defaults: runtime none, 3 in 15 minutes, when the keys are absent', () => {
    fixture.patch('agents/atlas.json5', "on_stale: 'notify_and_restart',", "on_stale: 'notify',");
    fixture.patch('agents/atlas.json5', SHIPPED_LIVENESS, '');
    fixture.patch('agents/atlas.json5', /restart_loop: \{[^}]*\},/, '');
    const liveness = loadConfig({ configDir: fixture.dir, env: {} }).config.agents.get(
      'atlas',
    )?.liveness;
    expect(liveness?.runtime.kind).toBe('none');
    expect(liveness?.restart_loop).toMatchObject({ max_restarts: 3, window_minutes: 15 });
  });

  it('names a bad kind, a bad count and a bad window', () => {
    fixture.patch('agents/atlas.json5', SHIPPED_LIVENESS, "runtime: { kind: 'systemd' },");
    fixture.patch(
      'agents/atlas.json5',
      /restart_loop: \{[^}]*\},/,
      'restart_loop: { max_restarts: 0, window_minutes: -1, max: 2 },',
    );
    const errors = errorsOf(fixture).join('\n');
    expect(errors).toMatch(
      /agents\/atlas\.json5: liveness\.runtime\.kind: must be one of supervisor, docker, none \(got "systemd"\)/,
    );
    expect(errors).toMatch(
      /agents\/atlas\.json5: liveness\.restart_loop\.max_restarts: must be an integer between 1 and 100/,
    );
    expect(errors).toMatch(
      /agents\/atlas\.json5: liveness\.restart_loop\.window_minutes: must be a positive number of minutes/,
    );
    expect(errors).toMatch(/agents\/atlas\.json5: liveness\.restart_loop\.max: /);
  });

  it('refuses notify_and_restart with runtime none, and docker settings for another kind', () => {
    fixture.patch(
      'agents/atlas.json5',
      SHIPPED_LIVENESS,
      "runtime: { kind: 'none', docker: { socket_path: '/run/docker.sock' } },",
    );
    const errors = errorsOf(fixture).join('\n');
    expect(errors).toMatch(
      /agents\/atlas\.json5: liveness\.runtime\.kind: is "none" \(the platform restarts, atlas only reports\), but on_stale is "notify_and_restart"/,
    );
    expect(errors).toMatch(
      /agents\/atlas\.json5: liveness\.runtime\.docker: is only read when runtime\.kind is "docker" \(it is "none"\)/,
    );
  });
});
