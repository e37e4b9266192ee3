import { type DiscordConfig } from '@opscrew/config';
import { DeliveryError, type Notification } from '@opscrew/ports';
import { jestTimeout } from '@opscrew/testing';
import { DiscordContractServer } from '../testing/discord-contract.server';
import { findLiveMarkup, garakPayloads } from '../testing/hostile-text';
import { LogCapture } from '../testing/log-capture';
import { DiscordNotifier } from './discord.notifier';

jest.setTimeout(jestTimeout(30_000));

const notification = (n: number, extra: Partial<Notification> = {}): Notification => ({
  idempotency_key: `notify:INC-${n}`,
  kind: 'incident',
  severity: 'critical',
  title: `Checkout errors ${n}`,
  text: 'error rate 40%',
  fields: [{ name: 'Service', value: 'checkout', inline: true }],
  incident_id: `INC-20250131-00${n}`,
  ...extra,
});

describe('DiscordNotifier against the Discord contract server', () => {
  const server = new DiscordContractServer();
  const limited = new DiscordContractServer({ rateLimit: { limit: 2, windowMs: 1500 } });
  const logs = new LogCapture();
  let config: DiscordConfig;

  beforeAll(async () => {
    await Promise.all([server.start(), limited.start()]);
    config = {
      webhook_url: server.webhookUrl,
      username: 'opscrew',
      role_ids: { 'oncall-engineer': '333333333333333333' },
      timeout_ms: 300,
      colors_by_severity: { critical: '#d7263d' },
    };
  });
  afterAll(() => Promise.all([server.stop(), limited.stop()]));
  beforeEach(() => logs.start());
  afterEach(() => {
    for (const s of [server, limited]) expect(logs.text()).not.toContain(s.webhookToken);
    logs.stop();
  });

  it('delivers a message the spec and Discord accept (200 with wait=true)', async () => {
    await new DiscordNotifier({ config }).send(
      notification(1, { mention_roles: ['oncall-engineer'] }),
    );
    const request = server.requestsFor('execute_webhook').at(-1);
    expect(request?.status).toBe(200);
    expect(request?.query).toEqual({ wait: 'true' });
    expect(server.messages.at(-1)?.body).toMatchObject({
      content: '<@&333333333333333333>',
      allowed_mentions: { parse: [], roles: ['333333333333333333'] },
      embeds: [{ title: 'Checkout errors 1', color: 0xd7263d }],
    });
  });

  it('sends maximal and hostile messages without a 400: limits and neutralisation hold end to end', async () => {
    const notifier = new DiscordNotifier({ config });
    const hostile = garakPayloads().join('\n');
    const before = server.messages.length;
    const maximal = notification(2, {
      title: `@everyone ${'T'.repeat(400)}`,
      text: `${hostile}\n${'x'.repeat(6000)}`,
      fields: Array.from({ length: 30 }, (_, i) => ({
        name: `<@&1> field ${i} ${'n'.repeat(300)}`,
        value: `https://evil.com ${'v'.repeat(1500)}`,
      })),
    });
    // Over every limit: split into several messages, sent as Discord's bucket allows (the
    // outbox retries after the wait; here, the test does).
    for (let attempt = 1; ; attempt += 1) {
      try {
        await notifier.send(maximal);
        break;
      } catch (error) {
        if (!(error instanceof DeliveryError) || !error.retryable || attempt > 20) throw error;
        await new Promise((done) => setTimeout(done, (error.retryAfterMs ?? 500) + 50));
      }
    }
    expect(server.requests.filter((r) => r.status !== 200 && r.status !== 204)).toEqual([]);
    const embeds = server.messages.slice(before).flatMap((m) => m.body.embeds ?? []);
    expect(embeds.length).toBeGreaterThan(1);
    const texts = embeds.flatMap((embed) => [
      embed.title,
      embed.description,
      embed.footer?.text,
      ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
    ]);
    for (const text of texts) expect(findLiveMarkup(text ?? '', 'discord')).toEqual([]);
  });

  it('the contract server refuses what Discord refuses (6000 total, empty message, bad token)', async () => {
    const post = (url: string, body: unknown): Promise<Response> =>
      fetch(`${url}?wait=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const big = {
      embeds: [
        {
          title: 't',
          description: 'd'.repeat(4096),
          fields: [
            { name: 'n', value: 'v'.repeat(1024) },
            { name: 'n', value: 'v'.repeat(1024) },
          ],
        },
      ],
    };
    const tooBig = await post(server.webhookUrl, big);
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toMatchObject({ code: 50035 });
    expect((await post(server.webhookUrl, {})).status).toBe(400);
    const overSpec = await post(server.webhookUrl, { content: 'x'.repeat(2001) });
    expect(overSpec.status).toBe(400);
    expect(JSON.stringify(await overSpec.json())).toContain('2000');
    const wrongToken = await post(server.webhookUrl.replace(server.webhookToken, 'nope'), {
      content: 'x',
    });
    expect(wrongToken.status).toBe(401);
    const bad = new DiscordNotifier({
      config: {
        ...config,
        webhook_url: server.webhookUrl.replace(server.webhookToken, 'not-the-token'),
      },
    });
    await expect(bad.send(notification(3))).rejects.toMatchObject({
      retryable: false,
      status: 401,
    });
  });

  it('honours a real 429 from the webhook bucket and the rate-limit headers', async () => {
    const notifier = new DiscordNotifier({
      config: { ...config, webhook_url: limited.webhookUrl },
    });
    await notifier.send(notification(4));
    await notifier.send(notification(5));
    // The second answer said Remaining: 0 — the notifier waits without a request.
    const blocked = (await notifier
      .send(notification(6))
      .catch((err: unknown) => err)) as DeliveryError;
    expect(blocked).toMatchObject({ retryable: true });
    expect(blocked.retryAfterMs).toBeGreaterThan(0);
    expect(limited.requests).toHaveLength(2);
    // A client that ignores the headers gets a real 429 with retry_after.
    const raw = await fetch(limited.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x' }),
    });
    expect(raw.status).toBe(429);
    expect(await raw.json()).toMatchObject({ global: false, retry_after: expect.any(Number) });
  });

  it('times out on a hung webhook as a retryable, ambiguous error', async () => {
    server.faults.add({
      operation: 'execute_webhook',
      times: 1,
      action: { kind: 'hang', ms: 1000 },
    });
    const error = (await new DiscordNotifier({ config })
      .send(notification(7))
      .catch((err: unknown) => err)) as DeliveryError;
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toBe('discord POST webhook: timed out after 300 ms');
  });
});
