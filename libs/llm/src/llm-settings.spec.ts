import { ConfigError, loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { RecordingAudit } from '@opscrew/testing';
import { createLlmClient } from './llm-client.factory';
import { llmSettingsFromConfig } from './llm-settings';

describe('LLM settings from the configuration', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  const enableClaude = (): void =>
    fixture.patch(
      'project/integrations/integrations.json5',
      "// llm: { $include: './production/llm.json5' },",
      "llm: { $include: './production/llm.json5' },",
    );

  it('the embedded default has no key: the rules adapter answers', () => {
    const { config } = loadConfig({ configDir: fixture.dir, env: {} });
    expect(config.integrations.llm).toBeUndefined();
    expect(llmSettingsFromConfig(config)).toBeNull();
    expect(
      createLlmClient({ config, agent: 'ops-monitor', audit: new RecordingAudit() }).kind,
    ).toBe('rules');
  });

  it('the production include switches Claude on with its budgets and prices', () => {
    enableClaude();
    const { config } = loadConfig({
      configDir: fixture.dir,
      env: { ANTHROPIC_API_KEY: 'test-anthropic-key' },
    });
    const settings = llmSettingsFromConfig(config);
    expect(settings).toMatchObject({
      model: 'claude-sonnet-5-5',
      apiKey: 'test-anthropic-key',
      maxRetries: 3,
      modelCallsPerHour: 120,
      budgets: { max_turns: 8, max_tokens_per_incident: 200_000, max_cost_usd_per_incident: 1 },
    });
    expect(settings?.prices.get('claude-sonnet-5-5')).toMatchObject({
      input_usd_per_mtok: 2,
      output_usd_per_mtok: 10,
    });
    expect(
      createLlmClient({ config, agent: 'ops-monitor', audit: new RecordingAudit() }).kind,
    ).toBe('anthropic');
  });

  it('a missing ANTHROPIC_API_KEY is a config error naming the variable and the path', () => {
    enableClaude();
    expect(() => loadConfig({ configDir: fixture.dir, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ configDir: fixture.dir, env: {} })).toThrow(
      'project/integrations/production/llm.json5: api_key: Missing env var "ANTHROPIC_API_KEY" referenced at config path: integrations.llm.api_key',
    );
  });

  it('a model without a price is refused (the cost budget needs it)', () => {
    enableClaude();
    fixture.patch(
      'project/integrations/production/llm.json5',
      "model: 'claude-sonnet-5-5',",
      "model: 'claude-haiku-5-5',",
    );
    expect(() => loadConfig({ configDir: fixture.dir, env: { ANTHROPIC_API_KEY: 'k' } })).toThrow(
      'project/integrations/production/llm.json5: prices: has no entry for the configured model "claude-haiku-5-5" (priced: claude-sonnet-5-5, claude-opus-5-5); the cost budget needs it',
    );
  });
});
