import { loadConfig } from '../config.loader';
import { ConfigError } from '../load/config-issue';
import { ConfigFixture } from '../testing/config-fixture';

const ENV = {
  DISCORD_APPLICATION_ID: '123456789012345678',
  DISCORD_PUBLIC_KEY: 'ab'.repeat(32),
  DISCORD_BOT_TOKEN: 'bot-token-value',
};

function errorsOf(fixture: ConfigFixture, env: Record<string, string>): string[] {
  try {
    loadConfig({ configDir: fixture.dir, env });
  } catch (error) {
    if (error instanceof ConfigError) return error.lines();
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('integrations.discord_interactions', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
    fixture.patch(
      'project/integrations/integrations.json5',
      "tracker: { kind: 'local' },",
      `tracker: { kind: 'local' },
  discord_interactions: { $include: './production/discord-interactions.json5' },`,
    );
  });
  afterEach(() => fixture.remove());

  it('is absent in the shipped config (the endpoint is off)', () => {
    const shipped = ConfigFixture.shipped();
    try {
      expect(
        loadConfig({ configDir: shipped.dir, env: {} }).config.integrations.discord_interactions,
      ).toBeUndefined();
    } finally {
      shipped.remove();
    }
  });

  it('loads the production file once its variables are set, with defaults, the token redacted', () => {
    const loaded = loadConfig({ configDir: fixture.dir, env: ENV });
    expect(loaded.config.integrations.discord_interactions).toMatchObject({
      application_id: '123456789012345678',
      public_key: 'ab'.repeat(32),
      bot_token: 'bot-token-value',
      api_base_url: 'https://discord.com/api/v10',
      timeout_ms: 5000,
    });
    expect(JSON.stringify(loaded.redacted)).not.toContain('bot-token-value');
  });

  it('names a bad public key or application id and where it is', () => {
    expect(
      errorsOf(fixture, { ...ENV, DISCORD_PUBLIC_KEY: 'not-hex', DISCORD_APPLICATION_ID: '12' }),
    ).toEqual([
      'project/integrations/production/discord-interactions.json5: application_id: must be a Discord application id (17-20 digits)',
      'project/integrations/production/discord-interactions.json5: public_key: must be the 64 hex characters of the public key',
    ]);
  });
});
