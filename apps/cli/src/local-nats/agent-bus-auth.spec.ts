import { join } from 'node:path';
import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { BUS_USERS, type BusUser } from '@opscrew/messaging';
import { agentBusEnv, writeAgentBusAuthEntry } from './agent-bus-auth';

const passwords = Object.fromEntries(BUS_USERS.map((user) => [user, `p${user.length}x`])) as Record<
  BusUser,
  string
>;

describe('an agent on the embedded bus', () => {
  it('gets an entry file beside the config root: the config plus its own NATS user, its password a ${VAR}', () => {
    const fixture = ConfigFixture.shipped();
    try {
      const loaded = loadConfig({ configDir: fixture.dir, env: {} });
      const entry = writeAgentBusAuthEntry(loaded, 'jira-resolver');
      expect(entry).toBe(join(loaded.configRoot, '.bus-auth.jira-resolver.json5'));
      // No password is written: the file names the variable, as compose's entry files do.
      expect(fixture.read('.bus-auth.jira-resolver.json5')).toContain(
        '"password": "${NATS_PASSWORD_JIRA_RESOLVER}"',
      );
      const asAgent = loadConfig({
        configDir: entry,
        env: { NATS_PASSWORD_JIRA_RESOLVER: 'psecret' },
      });
      expect(asAgent.config.agents.get('jira-resolver')?.bus_auth).toEqual({
        user: 'jira-resolver',
        password: 'psecret',
      });
      // Same project root: var/ and .env stay where they were.
      expect(asAgent.projectRoot).toBe(loaded.projectRoot);
      expect(asAgent.config.agents.get('atlas')?.bus_auth).toBeUndefined();
    } finally {
      fixture.remove();
    }
  });

  it("inherits no other NATS password, gets its own and the embedded server's URL", () => {
    const env = agentBusEnv(
      { PATH: '/bin', NATS_PASSWORD_ADMIN: 'leak', NATS_URL: 'nats://elsewhere:4222' },
      'atlas',
      passwords,
      'nats://127.0.0.1:4322',
    );
    expect(env).toEqual({
      PATH: '/bin',
      NATS_URL: 'nats://127.0.0.1:4322',
      NATS_PASSWORD_ATLAS: passwords.atlas,
    });
  });
});
