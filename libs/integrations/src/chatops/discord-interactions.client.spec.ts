import { DeliveryError } from '@opscrew/ports';
import { stubFetch } from '../testing/stub-fetch';
import { DiscordInteractionsClient } from './discord-interactions.client';

const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246secret-interaction-token';
const BOT_TOKEN = 'secret-bot-token-value';

function client(replies: Parameters<typeof stubFetch>[0]) {
  const stub = stubFetch(replies);
  const waits: number[] = [];
  const instance = new DiscordInteractionsClient({
    apiBaseUrl: 'https://discord.test/api/v10/',
    applicationId: '123456789012345678',
    botToken: BOT_TOKEN,
    timeoutMs: 500,
    fetch: stub.fetch,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { instance, calls: stub.calls, waits };
}

const edit = { content: 'done', allowed_mentions: { parse: [] } };

describe('DiscordInteractionsClient', () => {
  it('edits the deferred answer with PATCH …/messages/@original', async () => {
    const { instance, calls } = client([{ status: 200, body: { id: '1' } }]);
    await instance.editOriginal(INTERACTION_TOKEN, edit);
    expect(calls).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        url: `https://discord.test/api/v10/webhooks/123456789012345678/${INTERACTION_TOKEN}/messages/@original`,
        body: edit,
      }),
    ]);
  });

  it("waits Discord's retry_after on a 429, then succeeds", async () => {
    const { instance, calls, waits } = client([
      { status: 429, body: { message: 'You are being rate limited.', retry_after: 0.25 } },
      { status: 200, body: { id: '1' } },
    ]);
    await instance.editOriginal(INTERACTION_TOKEN, edit);
    expect(calls).toHaveLength(2);
    expect(waits).toEqual([250]);
  });

  it('gives up after three attempts, and never names a token in the error', async () => {
    const { instance, calls } = client([
      { error: new Error(`connect ECONNREFUSED ${INTERACTION_TOKEN}`) },
    ]);
    const failure = instance.editOriginal(INTERACTION_TOKEN, edit);
    await expect(failure).rejects.toBeInstanceOf(DeliveryError);
    await expect(failure).rejects.not.toThrow(INTERACTION_TOKEN);
    expect(calls).toHaveLength(3);
  });

  it('fails at once on a 4xx other than 429, with the status and without the bot token', async () => {
    const { instance, calls } = client([
      { status: 401, body: { message: `401: Unauthorized ${BOT_TOKEN}`, code: 0 } },
    ]);
    const failure = instance.registerCommands([{ name: 'status' }]);
    await expect(failure).rejects.toThrow(/HTTP 401/);
    await expect(failure).rejects.not.toThrow(BOT_TOKEN);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['authorization']).toBe(`Bot ${BOT_TOKEN}`);
  });

  it('registers globally or in a guild and returns the names Discord kept', async () => {
    const { instance, calls } = client([
      { status: 200, body: [{ name: 'status' }, { name: 'ack' }] },
    ]);
    expect(await instance.registerCommands([], '876543210987654321')).toEqual(['status', 'ack']);
    expect(calls[0]).toMatchObject({
      method: 'PUT',
      url: 'https://discord.test/api/v10/applications/123456789012345678/guilds/876543210987654321/commands',
    });
  });

  it('refuses to register without a bot token', async () => {
    const instance = new DiscordInteractionsClient({
      apiBaseUrl: 'https://discord.test/api/v10',
      applicationId: '123456789012345678',
      timeoutMs: 500,
    });
    await expect(instance.registerCommands([])).rejects.toThrow(/bot_token is not set/);
  });
});
