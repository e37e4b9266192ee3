import { ConfigFixture } from '@opscrew/config/testing';
import { DiscordContractServer } from '@opscrew/integrations/testing';
import { jestTimeout } from '@opscrew/testing';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { registerDiscordCommands } from './discord-register.command';

jest.setTimeout(jestTimeout(30_000));

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

/** `opscrew discord register-commands` against Discord's contract server (spec-validated). */
describe('opscrew discord register-commands', () => {
  const discord = new DiscordContractServer();
  let fixture: ConfigFixture;

  beforeAll(async () => {
    await discord.start();
  });
  afterAll(() => discord.stop());
  beforeEach(() => discord.reset());
  afterEach(() => fixture?.remove());

  const configured = (botToken: string): ConfigFixture => {
    const f = ConfigFixture.shipped();
    f.patch(
      'project/integrations/integrations.json5',
      "  tracker: { kind: 'local' },",
      `  tracker: { kind: 'local' },
  discord_interactions: {
    application_id: '${discord.applicationId}',
    public_key: '${'ab'.repeat(32)}',
    bot_token: '${botToken}',
    api_base_url: '${discord.apiBaseUrl}',
    timeout_ms: 2000,
  },`,
    );
    return f;
  };

  it('registers the five commands globally, as Discord takes them, and again idempotently', async () => {
    fixture = configured(discord.botToken);
    for (let run = 0; run < 2; run += 1) {
      const io = captureIo();
      expect(await registerDiscordCommands({ config: fixture.dir }, io)).toBe(EXIT_OK);
      expect(io.lines).toEqual([
        expect.stringMatching(
          /^registered 5 command\(s\) globally .*: \/status, \/incident, \/ack, \/restart, \/silence$/,
        ),
      ]);
    }
    const request = discord.requestsFor('bulk_set_application_commands');
    expect(request.map((r) => r.status)).toEqual([200, 200]);
    const global = discord.commands.get('global') ?? [];
    expect(global.map((command) => command.body)).toEqual([
      {
        type: 1,
        name: 'status',
        description: expect.any(String),
        options: [
          expect.objectContaining({ type: 3, name: 'service', required: false, max_length: 64 }),
        ],
      },
      expect.objectContaining({
        name: 'incident',
        options: [expect.objectContaining({ name: 'id', required: true })],
      }),
      expect.objectContaining({
        name: 'ack',
        options: [expect.objectContaining({ name: 'id', required: true })],
      }),
      expect.objectContaining({
        name: 'restart',
        options: [expect.objectContaining({ name: 'service', required: true })],
      }),
      expect.objectContaining({
        name: 'silence',
        options: [
          expect.objectContaining({ name: 'service', required: true }),
          expect.objectContaining({ name: 'duration', required: true }),
          expect.objectContaining({ name: 'reason', required: false }),
        ],
      }),
    ]);
  });

  it('registers into one guild with --guild', async () => {
    fixture = configured(discord.botToken);
    const io = captureIo();
    expect(
      await registerDiscordCommands({ config: fixture.dir, guild: '123456789012345678' }, io),
    ).toBe(EXIT_OK);
    expect(io.lines[0]).toMatch(/in guild 123456789012345678/);
    expect(discord.commands.get('123456789012345678')).toHaveLength(5);
    expect(discord.requestsFor('bulk_set_guild_application_commands')).toHaveLength(1);
  });

  it('fails with Discord’s 401 for a wrong bot token, without printing the token', async () => {
    const wrong = 'wrong-bot-token-0123456789';
    fixture = configured(wrong);
    const io = captureIo();
    expect(await registerDiscordCommands({ config: fixture.dir }, io)).toBe(EXIT_FAILURE);
    expect(io.errors.join('\n')).toMatch(/HTTP 401/);
    expect(io.errors.join('\n')).not.toContain(wrong);
  });

  it('says what is missing without the section or with a bad --guild', async () => {
    fixture = ConfigFixture.shipped();
    const io = captureIo();
    expect(await registerDiscordCommands({ config: fixture.dir }, io)).toBe(EXIT_INVALID);
    expect(io.errors[0]).toMatch(/no integrations\.discord_interactions section/);
    expect(await registerDiscordCommands({ config: fixture.dir, guild: 'abc' }, io)).toBe(
      EXIT_INVALID,
    );
    expect(io.errors[1]).toMatch(/--guild: "abc" is not a Discord guild id/);
  });
});
