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

/** Configured files an agent opens must lie in its sandbox.filesystem lists. */
describe('agent files inside the agents’ filesystem sandboxes', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('accepts the shipped configuration', () => {
    expect(() => loadConfig({ configDir: fixture.dir, env: ENV })).not.toThrow();
  });

  it('names the notifier file outside ops-monitor’s and jira-resolver’s lists, in the file it is set in', () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      "jsonl_path: 'var/notifications.jsonl'",
      "jsonl_path: 'var/reports/notifications.jsonl'",
    );
    const lines = errorsOf(fixture);
    expect(lines).toContain(
      'project/integrations/integrations.json5: notifier.jsonl_path: "var/reports/notifications.jsonl" is outside agents.ops-monitor.sandbox.filesystem.write (var/notifications.jsonl, var/audit/ops-monitor.jsonl); ops-monitor writes it (the console notifier’s messages): add it or its folder there',
    );
    expect(lines.filter((l) => l.includes('notifier.jsonl_path'))).toHaveLength(4);
  });

  it('refuses an absolute or escaping path', () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      "flag_file: 'var/flagd/demo.flagd.json'",
      "flag_file: '/etc/flagd/demo.flagd.json'",
    );
    expect(errorsOf(fixture)).toEqual([
      'project/integrations/integrations.json5: flags.flag_file: must be relative to the project root, without "..": demo-controller\'s filesystem sandbox refuses anything else',
    ]);
  });

  it('does not confuse a sibling folder with a listed one, and checks the suggestions file', () => {
    fixture.patch(
      'agents/demo-controller.json5',
      "suggestions_file: 'var/learning/threshold-suggestions.json'",
      "suggestions_file: 'var/learning-evil/threshold-suggestions.json'",
    );
    expect(errorsOf(fixture)).toEqual([
      'agents/demo-controller.json5: controller.learning.feedback_loop.suggestions_file: "var/learning-evil/threshold-suggestions.json" is outside agents.demo-controller.sandbox.filesystem.write (var/flagd/, var/learning/, var/audit/demo-controller.jsonl); demo-controller writes it (the threshold suggestions): add it or its folder there',
    ]);
  });

  it('needs read as well as write for a file read back', () => {
    fixture.patch(
      'agents/demo-controller.json5',
      "read: ['var/flagd/', 'var/audit/demo-controller.jsonl'],",
      "read: ['var/audit/demo-controller.jsonl'],",
    );
    expect(errorsOf(fixture)).toEqual([
      'project/integrations/integrations.json5: flags.flag_file: "var/flagd/demo.flagd.json" is outside agents.demo-controller.sandbox.filesystem.read (var/audit/demo-controller.jsonl); demo-controller reads it (the flagd flag file it changes): add it or its folder there',
    ]);
  });
});
