// Over 300 lines on purpose: one NATS bucket and one pair of Jira/Discord contract servers shared by
// every scenario (starting them per file would cost more than the scenarios).
import { type DiscordConfig, type JiraConfig } from '@opscrew/config';
import { DiscordNotifier, JiraTracker } from '@opscrew/integrations';
import { type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import {
  idempotencyLabel,
  type Notification,
  type NotifierPort,
  type TicketDraft,
  type TrackerPort,
} from '@opscrew/ports';
import { jestTimeout, scaledTimeout } from '@opscrew/testing';
import {
  DiscordContractServer,
  findLiveMarkup,
  JiraContractServer,
  LogCapture,
  type RecordedRequest,
  verifyCalls,
} from '../../../integrations/src/testing';
import { type OutboxBucket, openOutboxBucket } from './outbox-bucket';
import { outboxOptions, type OutboxOptions } from './outbox-options';
import { OutboxService } from './outbox.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(30_000));

const EMAIL = 'ops-bot@acme.example';
const TOKEN = 'fake-jira-token-outbox-test';
/** Compressed windows: Discord 5 per 1.5 s instead of per minute; Jira 10 per minute instead of per hour. */
const NOTIFY_WINDOW_MS = 1500;

const id = (n: number): string => `INC-20250131-${String(n).padStart(3, '0')}`;
const draft = (n: number): TicketDraft => ({
  idempotency_key: `ticket:${id(n)}`,
  incident_id: id(n),
  summary: `High error rate on checkout (${n})`,
  severity: n % 7 === 0 ? 'critical' : 'high',
  service: 'checkout',
  labels: ['auto-detected'],
  sections: [
    { label: 'Detected at', text: '2025-01-31T12:00:00Z' },
    { label: 'Symptom', text: `error_rate_pct ${10 + n} (threshold 5)` },
    { label: 'Trace', text: 'trace', href: 'https://signoz.example.com/trace/abc' },
  ],
});
const alert = (n: number): Notification => ({
  idempotency_key: `notify:${id(n)}:detected`,
  kind: 'incident',
  severity: 'high',
  title: `High error rate on checkout (${n}) @everyone`,
  text: `error_rate_pct ${10 + n} > 5 — log: see https://evil.example.com <@&1>`,
  fields: [{ name: 'Service', value: 'checkout', inline: true }],
  incident_id: id(n),
});

describe('Outbox against NATS KV and the Jira/Discord contract servers', () => {
  const namespace = testNamespace();
  const jira = new JiraContractServer({ email: EMAIL, apiToken: TOKEN });
  const discord = new DiscordContractServer();
  const logs = new LogCapture();
  let bus: NatsConnectionService;
  let otherBus: NatsConnectionService;
  let bucket: OutboxBucket;
  let otherBucket: OutboxBucket;
  let jiraConfig: JiraConfig;
  let discordConfig: DiscordConfig;
  const running: OutboxService[] = [];

  const options = (overrides: Partial<OutboxOptions> = {}): OutboxOptions =>
    outboxOptions(
      { jira_issues_per_hour: 10, discord_messages_per_minute: 5 },
      {
        ticket_window_ms: 60_000,
        notification_window_ms: NOTIFY_WINDOW_MS,
        // Fast loop and short backoff: the test's clock is real.
        poll_interval_ms: 25,
        backoff: { initial_delay_ms: 50, max_delay_ms: 400 },
        // Above the slowest delivery here (a search + a create at 250 ms timeouts), stretched by
        // the load: a claim that lapses while its renewal waits for a busy CPU is taken over, and
        // the test would see a double delivery the design only allows after a real crash.
        claim_ttl_ms: scaledTimeout(1500),
        // Tests stop workers with calls that hang on purpose: do not wait long for them.
        shutdown_grace_ms: 300,
        ambiguous_create_retry_min_ms: 300,
        retention_ms: 60 * 60 * 1000,
        ...overrides,
      },
    );
  const start = (
    overrides: Partial<OutboxOptions> = {},
    ports: { bucket?: OutboxBucket; tracker?: TrackerPort; notifier?: NotifierPort } = {},
  ): OutboxService => {
    const outbox = new OutboxService({
      bucket: ports.bucket ?? bucket,
      tracker: ports.tracker ?? new JiraTracker({ config: jiraConfig }),
      notifier: ports.notifier ?? new DiscordNotifier({ config: discordConfig }),
      options: options(overrides),
    });
    outbox.start();
    running.push(outbox);
    return outbox;
  };
  const settled = async (outbox: OutboxService, timeoutMs = 10_000): Promise<void> =>
    eventually(
      async () =>
        (await outbox.depth()).every((d) => ['delivered', 'folded', 'failed'].includes(d.state)),
      timeoutMs,
      25,
    );
  const creates = (): RecordedRequest[] => jira.requestsFor('createIssue');

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'outbox-a'));
    ({ bus: otherBus } = await openTestBus(NATS_URL, namespace, 'outbox-b'));
    bucket = await openOutboxBucket(bus);
    otherBucket = await openOutboxBucket(otherBus);
    await Promise.all([jira.start(), discord.start()]);
    jiraConfig = {
      base_url: jira.baseUrl,
      email: EMAIL,
      api_token: TOKEN,
      project_key: 'OPS',
      issue_type: 'Bug',
      labels: ['ops-monitor'],
      priority_by_severity: {
        critical: 'Highest',
        high: 'High',
        medium: 'Medium',
        low: 'Low',
        info: 'Lowest',
      },
      statuses: {
        todo: 'To Do',
        in_progress: 'In Progress',
        in_review: 'In Review',
        done: 'Done',
        escalated: 'Escalated',
      },
      // Short timeouts keep the fault tests fast; the faults hang far longer.
      timeout_ms: 250,
    };
    discordConfig = {
      webhook_url: discord.webhookUrl,
      username: 'opscrew',
      role_ids: { 'oncall-engineer': '444444444444444444' },
      timeout_ms: 250,
      colors_by_severity: {},
    };
  });

  afterAll(async () => {
    await Promise.all([jira.stop(), discord.stop()]);
    await removeTestTopology(bus);
    await otherBus.close();
    await bus.close();
  });

  beforeEach(async () => {
    // Keys first, then purge: purging while the key iterator runs cuts the iteration short.
    for (const key of await bucket.listKeys('')) await bucket.kv.purge(key);
    jira.reset();
    discord.reset();
    logs.start();
  });

  afterEach(async () => {
    for (const outbox of running.splice(0)) await outbox.stop();
    const text = logs.text();
    logs.stop();
    // Secrets never reach a log line, whatever happened in the test.
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(discord.webhookToken);
  });

  it('delivers tickets, their steps and alerts: exactly the expected requests, nothing else', async () => {
    const outbox = start();
    const t0 = Date.now();
    for (const n of [1, 2, 3]) {
      await outbox.enqueue({ kind: 'ticket.create', draft: draft(n) });
      await outbox.enqueue({ kind: 'notify', notification: alert(n) });
    }
    const ticket = { idempotency_key: draft(1).idempotency_key };
    await outbox.enqueue({
      kind: 'ticket.transition',
      idempotency_key: `transition:${id(1)}:in_progress`,
      ticket,
      to: 'in_progress',
      comment: 'runbook restart-service started',
    });
    await outbox.enqueue({
      kind: 'ticket.comment',
      idempotency_key: `comment:${id(1)}:restart`,
      ticket,
      text: 'restarted checkout',
    });
    await settled(outbox);
    const window: [number, number] = [0, 3000];
    expect(
      verifyCalls(
        jira.requests,
        [
          {
            label: 'idempotency lookup before each create',
            operation: 'searchAndReconsileIssuesUsingJqlPost',
            count: 3,
            between: window,
          },
          { label: 'one create per incident', operation: 'createIssue', count: 3, between: window },
          { label: 'status read before the transition', operation: 'getIssue', between: window },
          {
            label: 'transition lookup by status name',
            operation: 'getTransitions',
            between: window,
          },
          { label: 'the transition', operation: 'doTransition', between: window },
          { label: 'comment dedup lookup', operation: 'getComments', between: window },
          { label: 'the comment', operation: 'addComment', between: window },
        ],
        t0,
      ),
    ).toEqual([]);
    expect(
      verifyCalls(
        discord.requests,
        [
          {
            label: 'one alert per incident',
            operation: 'execute_webhook',
            count: 3,
            between: window,
          },
        ],
        t0,
      ),
    ).toEqual([]);
    expect(
      [...jira.requests, ...discord.requests].every((r) => r.status >= 200 && r.status < 300),
    ).toBe(true);
    const key = await outbox.ticketKeyFor(draft(1).idempotency_key);
    expect(jira.issues.get(key ?? '')?.status.name).toBe('In Progress');
    // Ordering: the transition was posted before the comment.
    const order = jira.requests
      .filter((r) => r.operationId === 'doTransition' || r.operationId === 'addComment')
      .map((r) => r.operationId);
    expect(order).toEqual(['doTransition', 'addComment']);
    for (const message of discord.messages) {
      const embed = message.body.embeds?.[0];
      expect(
        findLiveMarkup(`${embed?.title ?? ''}\n${embed?.description ?? ''}`, 'discord'),
      ).toEqual([]);
    }
  });

  it('rides out Jira answering 500, then 429 with Retry-After for a period: one ticket', async () => {
    jira.faults
      .add({
        operation: 'createIssue',
        times: 2,
        action: {
          kind: 'respond',
          status: 500,
          body: { errorMessages: ['Internal server error'], errors: {} },
        },
      })
      .add({
        operation: 'createIssue',
        forMs: 1200,
        action: {
          kind: 'respond',
          status: 429,
          headers: { 'retry-after': '1' },
          body: { errorMessages: ['Rate limit exceeded.'], errors: {} },
        },
      });
    const outbox = start();
    await outbox.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await settled(outbox, 15_000);
    expect(jira.issuesWithLabel(idempotencyLabel(draft(1).idempotency_key))).toHaveLength(1);
    const attempts = creates();
    expect(attempts.map((r) => r.status).slice(0, 2)).toEqual([500, 500]);
    expect(attempts.at(-1)?.status).toBe(201);
    const limited = attempts.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    // Retry-After: 1 is honoured: the attempt after a 429 comes at least ~1 s later.
    for (const r of limited) {
      const next = attempts.find((a) => a.seq > r.seq);
      expect((next?.at ?? 0) - r.at).toBeGreaterThanOrEqual(950);
    }
    // Every create attempt was preceded by an idempotency lookup.
    expect(jira.requestsFor('searchAndReconsileIssuesUsingJqlPost')).toHaveLength(attempts.length);
    expect((await outbox.get('ticket.create', draft(1).idempotency_key))?.value).toMatchObject({
      state: 'delivered',
      attempts: attempts.length,
    });
  });

  it('a create that times out on our side but succeeded on Jira: still one ticket', async () => {
    jira.faults.add({
      operation: 'createIssue',
      times: 1,
      action: { kind: 'timeout-after-success', ms: 1000 },
    });
    const outbox = start();
    await outbox.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await outbox.enqueue({ kind: 'ticket.create', draft: draft(2) });
    await settled(outbox);
    expect(jira.issuesWithLabel(idempotencyLabel(draft(1).idempotency_key))).toHaveLength(1);
    expect(jira.issuesWithLabel(idempotencyLabel(draft(2).idempotency_key))).toHaveLength(1);
    expect(creates()).toHaveLength(2);
    const item = (await outbox.get('ticket.create', draft(1).idempotency_key))?.value;
    expect(item).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(item?.result_ref).toBe(
      jira.issuesWithLabel(idempotencyLabel(draft(1).idempotency_key))[0]?.key,
    );
  });

  it('Discord timing out and rate limiting: every alert exactly once', async () => {
    discord.faults
      .add({ operation: 'execute_webhook', times: 1, action: { kind: 'hang', ms: 1000 } })
      .add({
        operation: 'execute_webhook',
        times: 1,
        action: {
          kind: 'respond',
          status: 429,
          headers: { 'retry-after': '1' },
          body: { message: 'You are being rate limited.', retry_after: 0.3, global: false },
        },
      })
      .add({
        operation: 'execute_webhook',
        times: 1,
        action: { kind: 'respond', status: 502, body: { message: 'Bad Gateway', code: 0 } },
      });
    const outbox = start();
    for (const n of [1, 2, 3]) await outbox.enqueue({ kind: 'notify', notification: alert(n) });
    await settled(outbox);
    const keys = discord.messages.map((m) => m.body.embeds?.[0]?.footer?.text ?? '');
    for (const n of [1, 2, 3])
      expect(keys.filter((k) => k.includes(`notify:${id(n)}:detected`))).toHaveLength(1);
    expect(discord.messages).toHaveLength(3);
    expect(discord.requests.map((r) => r.status)).toEqual(
      expect.arrayContaining([0, 429, 502, 200]),
    );
  });

  it('a storm of 40 incidents: ≤ the limits of creates and messages, summaries for the rest, nothing lost', async () => {
    // The burst is persisted first (as ops-monitor would during one bad cycle), then delivered.
    const outbox = new OutboxService({
      bucket,
      tracker: new JiraTracker({ config: jiraConfig }),
      notifier: new DiscordNotifier({ config: discordConfig }),
      options: options(),
    });
    running.push(outbox);
    for (let n = 1; n <= 40; n++) {
      await outbox.enqueue({ kind: 'ticket.create', draft: draft(n) });
      await outbox.enqueue({ kind: 'notify', notification: alert(n) });
    }
    const t0 = Date.now();
    outbox.start();
    await settled(outbox);
    // Let any late fold/summary land before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(creates()).toHaveLength(10);
    const footer = (i: number): string => discord.messages[i]?.body.embeds?.[0]?.footer?.text ?? '';
    const individual = discord.messages.filter((_, i) => footer(i).includes(' incident '));
    const summaries = discord.messages.filter((_, i) => footer(i).includes(' summary '));
    expect(individual).toHaveLength(5);
    // The five went out on the first window's budget: within one window of the first of them
    // (when the first went depends on how busy the machine is, not on the outbox).
    const firstAt = Math.min(...individual.map((m) => m.at));
    expect(firstAt).toBeGreaterThanOrEqual(t0);
    expect(individual.every((m) => m.at - firstAt < NOTIFY_WINDOW_MS)).toBe(true);
    // One summary per window the storm spans (a slow run may spill into a second window).
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(discord.messages).toHaveLength(5 + summaries.length);
    for (let i = 1; i < summaries.length; i++) {
      expect((summaries[i]?.at ?? 0) - (summaries[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(
        NOTIFY_WINDOW_MS - 50,
      );
    }
    const summary = summaries[0];
    // The summary waited for the window to free a slot.
    expect((summary?.at ?? 0) - (individual[0]?.at ?? 0)).toBeGreaterThanOrEqual(
      NOTIFY_WINDOW_MS - 50,
    );
    const text = summaries.map((m) => m.body.embeds?.[0]?.description ?? '').join('\n');
    const counted = summaries.map(
      (m) => m.body.embeds?.[0]?.fields?.map((f) => Number(f.value)) ?? [],
    );
    // Alerts held back + tickets not opened, over all summaries: 35 + 30.
    expect(counted.reduce((sum, [alerts = 0]) => sum + alerts, 0)).toBe(35);
    expect(counted.reduce((sum, [, tickets = 0]) => sum + tickets, 0)).toBe(30);
    // Nothing lost: every incident has its ticket, its own alert, or a line in the summary.
    const ticketed = new Set(
      [...jira.issues.values()].map((i) =>
        i.labels.find((l) => l.startsWith('opscrew-incident-'))?.slice('opscrew-incident-'.length),
      ),
    );
    const alerted = new Set(
      individual.map((m) => /INC-\d{8}-\d{3}/.exec(m.body.embeds?.[0]?.footer?.text ?? '')?.[0]),
    );
    for (let n = 1; n <= 40; n++) {
      const listed = text.includes(id(n));
      expect(ticketed.has(id(n)) || listed).toBe(true);
      expect(alerted.has(id(n)) || listed).toBe(true);
    }
    expect(await outbox.depth()).toEqual([
      { kind: 'notify', state: 'delivered', count: 5 + summaries.length },
      { kind: 'notify', state: 'folded', count: 35 },
      { kind: 'ticket.create', state: 'delivered', count: 10 },
      { kind: 'ticket.create', state: 'folded', count: 30 },
    ]);
  });

  it('a storm spread over several windows: one summary per window, never more than the limit', async () => {
    const outbox = start();
    const t0 = Date.now();
    for (let n = 1; n <= 24; n++) {
      await outbox.enqueue({ kind: 'notify', notification: alert(n) });
      // ~2.4 s of trickling alerts: the storm outlasts one 1.5 s window.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await settled(outbox);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const times = discord.messages.map((m) => m.at);
    // Sliding-window check: no 1.5 s window holds more than 5 messages.
    for (const start of times)
      expect(
        times.filter((t) => t >= start && t < start + NOTIFY_WINDOW_MS).length,
      ).toBeLessThanOrEqual(5);
    const texts = discord.messages
      .map(
        (m) =>
          `${m.body.embeds?.[0]?.footer?.text ?? ''}\n${m.body.embeds?.[0]?.description ?? ''}`,
      )
      .join('\n');
    for (let n = 1; n <= 24; n++) expect(texts).toContain(id(n));
    // Folded, not sent one by one (how many windows the trickle spans depends on timing).
    expect(discord.messages.length).toBeLessThan(24);
    // At most one summary in any window.
    const summaryTimes = discord.messages
      .filter((m) => (m.body.embeds?.[0]?.footer?.text ?? '').includes(' summary '))
      .map((m) => m.at);
    expect(summaryTimes.length).toBeGreaterThanOrEqual(1);
    for (const start of summaryTimes)
      expect(summaryTimes.filter((t) => t >= start && t < start + NOTIFY_WINDOW_MS).length).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('a worker crash mid-delivery, a new worker on the same bucket: still exactly once', async () => {
    const real = new JiraTracker({ config: jiraConfig });
    // Worker A: the create reaches Jira, then the process "dies" before recording it.
    const dyingTracker: TrackerPort = {
      kind: 'jira',
      findByIdempotencyKey: (k) => real.findByIdempotencyKey(k),
      create: async (d) => {
        await real.create(d);
        return new Promise(() => undefined);
      },
      get: (k) => real.get(k),
      transition: (k, to, c, o) => real.transition(k, to, c, o),
      comment: (k, t, o) => real.comment(k, t, o),
      listByStatus: (s, l) => real.listByStatus(s, l),
    };
    // ...and its notification send hangs before anything leaves.
    const dyingNotifier: NotifierPort = {
      kind: 'discord',
      send: () => new Promise(() => undefined),
    };
    const a = start({ worker_id: 'replica-a' }, { tracker: dyingTracker, notifier: dyingNotifier });
    await a.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await a.enqueue({ kind: 'notify', notification: alert(1) });
    await eventually(() => creates().length === 1, 5000, 10);
    await eventually(
      async () => (await a.list()).every((i) => i.value.state === 'sending'),
      5000,
      10,
    );
    a.halt();
    const crashedAt = Date.now();
    const b = start({ worker_id: 'replica-b' });
    await settled(b);
    expect(jira.issuesWithLabel(idempotencyLabel(draft(1).idempotency_key))).toHaveLength(1);
    expect(creates()).toHaveLength(1);
    expect(discord.messages).toHaveLength(1);
    // B waited for A's claim to expire (claim_ttl_ms) before taking over.
    expect((discord.messages[0]?.at ?? 0) - crashedAt).toBeGreaterThanOrEqual(0);
    expect(logs.at('warn').join('\n')).toContain('claim of replica-a expired');
  });

  describe('hand-offs: claims renewed while alive, released on shutdown, taken over after a crash', () => {
    /** A notifier whose sends never finish (a call in flight forever). */
    const hanging: NotifierPort = { kind: 'discord', send: () => new Promise(() => undefined) };
    /** What was logged since this test began (the capture keeps every test's lines). */
    let mark = 0;
    beforeEach(() => {
      mark = logs.lines.length;
    });
    const logged = (): string =>
      logs.lines
        .slice(mark)
        .map((l) => `${l.level}: ${l.message}`)
        .join('\n');
    const sendingBy = async (outbox: OutboxService, worker: string): Promise<boolean> =>
      (await outbox.get('notify', alert(1).idempotency_key))?.value.claimed_by === worker;

    it('a holder that stops renewing (crash): another instance delivers within the TTL and a margin', async () => {
      const ttl = scaledTimeout(1500);
      const a = start({ worker_id: 'crashing', claim_ttl_ms: ttl }, { notifier: hanging });
      await a.enqueue({ kind: 'notify', notification: alert(1) });
      await eventually(() => sendingBy(a, 'crashing'), 5000, 10);
      // Renewed while alive: the claim outlives its first TTL.
      await new Promise((resolve) => setTimeout(resolve, ttl + 300));
      expect(await sendingBy(a, 'crashing')).toBe(true);
      expect(discord.messages).toHaveLength(0);
      a.halt();
      const crashedAt = Date.now();
      const b = start({ worker_id: 'survivor', claim_ttl_ms: ttl }, { bucket: otherBucket });
      await eventually(() => discord.messages.length === 1, ttl + 3000, 10);
      const tookMs = (discord.messages[0]?.at ?? 0) - crashedAt;
      expect(tookMs).toBeLessThan(ttl + scaledTimeout(1500));
      await settled(b);
      expect(discord.messages).toHaveLength(1);
      expect(logged()).toContain('claim of crashing expired');
    });

    it('a holder that shuts down releases its claims: another instance takes them at once', async () => {
      // A TTL far beyond the test: only the release can explain a fast hand-over.
      const ttl = 60_000;
      const a = start({ worker_id: 'leaving', claim_ttl_ms: ttl }, { notifier: hanging });
      await a.enqueue({ kind: 'notify', notification: alert(1) });
      await eventually(() => sendingBy(a, 'leaving'), 5000, 10);
      const b = start({ worker_id: 'staying', claim_ttl_ms: ttl }, { bucket: otherBucket });
      const stoppingAt = Date.now();
      await a.stop();
      const item = await b.get('notify', alert(1).idempotency_key);
      expect(item?.value.claimed_by).not.toBe('leaving');
      await eventually(() => discord.messages.length === 1, 3000, 10);
      expect((discord.messages[0]?.at ?? 0) - stoppingAt).toBeLessThan(2000);
      await settled(b);
      expect(discord.messages).toHaveLength(1);
      expect(logged()).toContain('outbox leaving: released 1 claim(s) on shutdown');
    });

    it('a shutdown waits for a delivery that finishes within the grace: delivered once, nothing released', async () => {
      const real = new DiscordNotifier({ config: discordConfig });
      const slowish: NotifierPort = {
        kind: 'discord',
        send: async (n) => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          await real.send(n);
        },
      };
      const a = start({ worker_id: 'finishing', claim_ttl_ms: 60_000 }, { notifier: slowish });
      await a.enqueue({ kind: 'notify', notification: alert(1) });
      await eventually(() => sendingBy(a, 'finishing'), 5000, 10);
      await a.stop();
      expect((await a.get('notify', alert(1).idempotency_key))?.value.state).toBe('delivered');
      expect(discord.messages).toHaveLength(1);
      expect(logged()).not.toContain('released');
    });

    it('a slow delivery that keeps renewing is never taken over: no double delivery', async () => {
      // Renewed every 400 ms: a renewal would have to be 800 ms late (a loaded shared machine)
      // for B to take the item over.
      const ttl = scaledTimeout(1200);
      const real = new DiscordNotifier({ config: discordConfig });
      // Three TTLs long: without renewals B would take the item over twice.
      const slow: NotifierPort = {
        kind: 'discord',
        send: async (n) => {
          await new Promise((resolve) => setTimeout(resolve, 3 * ttl));
          await real.send(n);
        },
      };
      const a = start({ worker_id: 'slow', claim_ttl_ms: ttl }, { notifier: slow });
      await a.enqueue({ kind: 'notify', notification: alert(1) });
      await eventually(() => sendingBy(a, 'slow'), 10_000, 10);
      // B starts once A holds the claim: what is under test is the take-over, not which of two
      // idle workers wins the first claim (B winning it delivered at once, and A never held it).
      const b = start({ worker_id: 'eager', claim_ttl_ms: ttl }, { bucket: otherBucket });
      await settled(a, 10_000);
      await settled(b, 10_000);
      // Give a wrongly taken-over copy time to land.
      await new Promise((resolve) => setTimeout(resolve, ttl));
      expect(discord.messages).toHaveLength(1);
      expect(logged()).not.toContain('taking over');
      expect(logged()).not.toContain('claim had been taken over');
    });
  });

  it('two replicas on one bucket (two NATS connections) deliver every item exactly once', async () => {
    const a = start({ worker_id: 'a', notifications_per_window: 50 });
    const b = start({ worker_id: 'b', notifications_per_window: 50 }, { bucket: otherBucket });
    for (let n = 1; n <= 8; n++) {
      await (n % 2 === 0 ? a : b).enqueue({ kind: 'ticket.create', draft: draft(n) });
      await (n % 2 === 0 ? b : a).enqueue({ kind: 'notify', notification: alert(n) });
    }
    await settled(a);
    await settled(b);
    expect(creates()).toHaveLength(8);
    for (let n = 1; n <= 8; n++)
      expect(jira.issuesWithLabel(idempotencyLabel(draft(n).idempotency_key))).toHaveLength(1);
    expect(discord.messages).toHaveLength(8);
  });

  it('the rate budget survives a restart: it is counted from persisted timestamps', async () => {
    const a = start();
    for (let n = 1; n <= 5; n++) await a.enqueue({ kind: 'notify', notification: alert(n) });
    await settled(a);
    await a.stop();
    const b = start();
    await b.enqueue({ kind: 'notify', notification: alert(6) });
    await eventually(
      async () => (await b.get('notify', alert(6).idempotency_key))?.value.state === 'held',
      3000,
      10,
    );
    expect(discord.messages).toHaveLength(5);
    await settled(b);
    expect(discord.messages).toHaveLength(6);
    // A lone held alert goes out as itself once the window frees.
    expect(discord.messages[5]?.body.embeds?.[0]?.title).toContain('(6)');
    expect((discord.messages[5]?.at ?? 0) - (discord.messages[0]?.at ?? 0)).toBeGreaterThanOrEqual(
      NOTIFY_WINDOW_MS - 50,
    );
  });

  it('parks a request Jira will never accept as failed, visible and logged', async () => {
    jira.faults.add({
      operation: 'createIssue',
      action: {
        kind: 'respond',
        status: 400,
        body: { errorMessages: [], errors: { components: 'Component is required.' } },
      },
    });
    const outbox = start();
    await outbox.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await settled(outbox);
    expect(await outbox.depth()).toEqual([{ kind: 'ticket.create', state: 'failed', count: 1 }]);
    expect(
      (await outbox.get('ticket.create', draft(1).idempotency_key))?.value.last_error,
    ).toContain('components: Component is required.');
    expect(logs.at('error').join('\n')).toContain('FAILED and parked');
    expect(creates()).toHaveLength(1);
  });
});
