import { type DiscordConfig } from '@opscrew/config';
import { DeliveryError, type Notification } from '@opscrew/ports';
import { ManualClock } from '@opscrew/testing';
import { LogCapture } from '../testing/log-capture';
import { type StubReply, stubFetch } from '../testing/stub-fetch';
import { DiscordNotifier } from './discord.notifier';

const TOKEN = 'wh-secret-Token_abcdefghijklmnopqrstuvwxyz0123456789';
const URL_ = `https://discord.com/api/webhooks/123456789012345678/${TOKEN}`;
const config: DiscordConfig = {
  webhook_url: URL_,
  username: 'opscrew',
  role_ids: { 'oncall-engineer': '222222222222222222' },
  timeout_ms: 100,
  colors_by_severity: {},
};
const notification: Notification = {
  idempotency_key: 'notify:INC-1:detected',
  kind: 'escalation',
  severity: 'high',
  title: 'Checkout down',
  text: 'error rate 40%',
  fields: [],
  mention_roles: ['oncall-engineer', 'ghost-role'],
};

async function failure(replies: StubReply[], clock = new ManualClock()): Promise<DeliveryError> {
  const { fetch } = stubFetch(replies);
  const error = await new DiscordNotifier({ config, fetch, clock }).send(notification).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof DeliveryError))
    throw new Error(`expected DeliveryError, got ${String(error)}`);
  return error;
}

describe('DiscordNotifier (stubbed HTTP)', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => {
    expect(logs.text()).not.toContain(TOKEN);
    logs.stop();
  });

  it('posts the built body to the webhook with ?wait=true and pings only configured roles', async () => {
    const { fetch, calls } = stubFetch([{ status: 200, body: { id: '1' } }]);
    await new DiscordNotifier({ config, fetch, clock: new ManualClock() }).send(notification);
    expect(calls[0]?.url).toBe(`${URL_}?wait=true`);
    expect(calls[0]?.body).toMatchObject({
      username: 'opscrew',
      content: '<@&222222222222222222>',
      allowed_mentions: { parse: [], roles: ['222222222222222222'] },
    });
    expect(logs.at('warn').join('\n')).toContain('ghost-role');
  });

  it('honours a 429 body retry_after (fractional seconds), else the Retry-After header', async () => {
    const fromBody = await failure([
      {
        status: 429,
        headers: { 'retry-after': '2' },
        body: { message: 'You are being rate limited.', retry_after: 1.5, global: false },
      },
    ]);
    expect(fromBody).toMatchObject({ retryable: true, retryAfterMs: 1500, status: 429 });
    const fromHeader = await failure([{ status: 429, headers: { 'retry-after': '3' } }]);
    expect(fromHeader).toMatchObject({ retryable: true, retryAfterMs: 3000 });
  });

  it('maps 5xx to retryable and 4xx to final errors with the Discord code', async () => {
    expect(await failure([{ status: 502 }])).toMatchObject({ retryable: true, status: 502 });
    const invalid = await failure([
      { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: { embeds: {} } } },
    ]);
    expect(invalid).toMatchObject({ retryable: false, status: 400 });
    expect(invalid.message).toContain('code 50035: Invalid Form Body');
    expect(
      await failure([{ status: 401, body: { code: 50027, message: 'Invalid Webhook Token' } }]),
    ).toMatchObject({ retryable: false });
    expect(
      await failure([{ status: 404, body: { code: 10015, message: 'Unknown Webhook' } }]),
    ).toMatchObject({ retryable: false });
  });

  it('waits out an exhausted rate-limit bucket without sending', async () => {
    const clock = new ManualClock();
    const { fetch, calls } = stubFetch([
      {
        status: 200,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '2.5' },
        body: { id: '1' },
      },
      { status: 200, body: { id: '2' } },
    ]);
    const notifier = new DiscordNotifier({ config, fetch, clock });
    await notifier.send(notification);
    const blocked = await notifier.send(notification).catch((err: unknown) => err);
    expect(blocked).toMatchObject({ retryable: true, retryAfterMs: 2500 });
    expect(calls).toHaveLength(1);
    clock.advance(2500);
    await notifier.send(notification);
    expect(calls).toHaveLength(2);
  });

  it('keeps the webhook URL and token out of errors on timeouts and network failures', async () => {
    const timeout = await failure([{ hang: true }]);
    expect(timeout).toMatchObject({ retryable: true, status: undefined });
    const network = await failure([
      {
        error: new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND ${URL_}`) }),
      },
    ]);
    for (const error of [timeout, network]) {
      expect(error.message).not.toContain(TOKEN);
      expect(String((error as Error & { cause?: unknown }).cause)).not.toContain(TOKEN);
    }
    const echoed = await failure([{ status: 400, body: { code: 1, message: `bad ${URL_}` } }]);
    expect(echoed.message).not.toContain(TOKEN);
  });

  it('sends a report over the limits as several messages, and a retry after a failure mid-way sends only the rest', async () => {
    const long: Notification = {
      ...notification,
      idempotency_key: 'report:report.ops-monitor-daily.2026-12-07T00:00:00.000Z',
      kind: 'report',
      mention_roles: [],
      // Two full messages' worth of lines: more than one message of 6000.
      text: Array.from({ length: 400 }, (_, i) => `line ${i} of the daily report`).join('\n'),
    };
    const { fetch, calls } = stubFetch([
      { status: 200, body: { id: '1' } },
      { status: 500, body: { message: 'oops' } },
      { status: 200, body: { id: '2' } },
      { status: 200, body: { id: '3' } },
    ]);
    const notifier = new DiscordNotifier({ config, fetch, clock: new ManualClock() });
    await expect(notifier.send(long)).rejects.toBeInstanceOf(DeliveryError);
    await notifier.send(long);
    const bodies = calls.map((call) => call.body as { embeds: { description?: string }[] });
    // 1st ok, 2nd failed, then the 2nd again and the rest — never the 1st twice.
    expect(bodies[2]).toEqual(bodies[1]);
    const sent = [bodies[0], ...bodies.slice(2)];
    const text = sent.flatMap((b) => (b?.embeds ?? []).map((e) => e.description ?? '')).join('');
    expect(text).toBe(long.text);
  });
});
