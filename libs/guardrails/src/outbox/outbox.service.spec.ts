// Over 300 lines on purpose: the outbox's promises end to end through its front (OutboxService),
// one scenario each over one fake-KV setup. Each unit's own spec sits beside it.
import { OutboxItemRecord } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { DeliveryError } from '@opscrew/ports';
import { ManualClock } from '@opscrew/testing';
import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { kvOutboxBucket } from './outbox-bucket';
import { storedNotification } from './outbox-item.factory';
import { itemKey } from './outbox-keys';
import { outboxOptions, type OutboxOptions } from './outbox-options';
import { OutboxService } from './outbox.service';
import { FakeNotifier, FakeTracker } from './testing/fake-ports';
import { unitAlert as alert, unitDraft as draft } from './testing/outbox-units';

const MINUTE = 60_000;

describe('OutboxService (fake KV, fake clock)', () => {
  let kv: FakeKv;
  let clock: ManualClock;
  let tracker: FakeTracker;
  let notifier: FakeNotifier;
  const logs = new LogCapture();

  const options = (overrides: Partial<OutboxOptions> = {}): OutboxOptions =>
    outboxOptions(
      { jira_issues_per_hour: 10, discord_messages_per_minute: 5 },
      {
        backoff: { initial_delay_ms: 1000, max_delay_ms: 60_000 },
        claim_ttl_ms: 30_000,
        ...overrides,
      },
    );
  const outbox = (overrides: Partial<OutboxOptions> = {}): OutboxService =>
    new OutboxService({
      bucket: kvOutboxBucket(kv.asKv()),
      tracker,
      notifier,
      options: options(overrides),
      clock,
      random: () => 0.5,
    });
  const stored = async (key: string): Promise<OutboxItemRecord | undefined> =>
    (await new TypedKv(kv.asKv(), 'outbox', { class: OutboxItemRecord }).get(key))?.value;

  beforeEach(() => {
    kv = new FakeKv('outbox');
    clock = new ManualClock();
    tracker = new FakeTracker();
    notifier = new FakeNotifier();
    logs.start();
  });
  afterEach(() => logs.stop());

  it('persists an item before any attempt, and a second enqueue of the same key is a no-op', async () => {
    const box = outbox();
    const first = await box.enqueue({ kind: 'notify', notification: alert(1) });
    expect(first).toEqual({
      key: itemKey('notify', alert(1).idempotency_key),
      created: true,
      state: 'pending',
    });
    expect(notifier.sent).toHaveLength(0);
    expect(await stored(first.key)).toMatchObject({
      state: 'pending',
      attempts: 0,
      kind: 'notify',
    });
    const again = await box.enqueue({ kind: 'notify', notification: alert(1) });
    expect(again).toMatchObject({ created: false, state: 'pending' });
    await box.tick();
    expect(notifier.sent).toHaveLength(1);
    expect(await box.enqueue({ kind: 'notify', notification: alert(1) })).toMatchObject({
      created: false,
      state: 'delivered',
    });
    await box.tick();
    expect(notifier.sent).toHaveLength(1);
  });

  it('creates a ticket after looking its idempotency key up, and records the ticket key', async () => {
    const box = outbox();
    await box.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await box.tick();
    expect(tracker.calls).toEqual([
      `find ${draft(1).idempotency_key}`,
      `create ${draft(1).idempotency_key}`,
    ]);
    expect(await box.ticketKeyFor(draft(1).idempotency_key)).toBe('FAKE-1');
  });

  it('retries with backoff, never before Retry-After', async () => {
    const box = outbox();
    notifier.outcomes.push(new DeliveryError('429', true, 5000, 429));
    const { key } = await box.enqueue({ kind: 'notify', notification: alert(1) });
    await box.tick();
    const item = await stored(key);
    // Backoff for attempt 1 is ~750 ms (1000 with equal jitter at 0.5); Retry-After 5 s wins.
    expect(item).toMatchObject({
      state: 'pending',
      attempts: 1,
      next_attempt_at: new Date(clock.now() + 5000).toISOString(),
    });
    expect(item?.last_error).toContain('429');
    clock.advance(4999);
    await box.tick();
    expect(notifier.sent).toHaveLength(0);
    clock.advance(1);
    await box.tick();
    expect(notifier.sent).toHaveLength(1);
    expect(await stored(key)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('parks a non-retryable failure as failed, logged at error and counted in depth()', async () => {
    const box = outbox();
    notifier.outcomes.push(
      new DeliveryError('discord POST webhook: HTTP 400: code 50035', false, undefined, 400),
    );
    const { key } = await box.enqueue({ kind: 'notify', notification: alert(1) });
    await box.tick();
    expect(await stored(key)).toMatchObject({
      state: 'failed',
      last_error: 'discord POST webhook: HTTP 400: code 50035',
    });
    expect(logs.at('error').join('\n')).toContain('FAILED and parked');
    expect(await box.depth()).toEqual([{ kind: 'notify', state: 'failed', count: 1 }]);
    // An operator fixes the cause and retries it.
    expect(await box.retry(key)).toBe(true);
    await box.tick();
    expect(notifier.sent).toHaveLength(1);
  });

  it('gives up after max_attempts retryable failures, visibly', async () => {
    const box = outbox({ max_attempts: 3 });
    for (let i = 0; i < 3; i++)
      notifier.outcomes.push(new DeliveryError('HTTP 500', true, undefined, 500));
    const { key } = await box.enqueue({ kind: 'notify', notification: alert(1) });
    for (let i = 0; i < 3; i++) {
      await box.tick();
      clock.advance(MINUTE);
    }
    expect(await stored(key)).toMatchObject({ state: 'failed', attempts: 3 });
    expect((await stored(key))?.last_error).toMatch(/^gave up after 3 attempts/);
  });

  it('survives a create that timed out after Jira created it: no second ticket', async () => {
    const box = outbox({ ambiguous_create_retry_min_ms: 10_000 });
    tracker.createOutcomes.push(new DeliveryError('timed out', true));
    // The fake creates nothing on an error; simulate "created, answer lost" by creating it behind our back.
    await box.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await box.tick();
    tracker.tickets.set('FAKE-9', {
      key: 'FAKE-9',
      status: 'todo',
      summary: 's',
      incident_id: 'INC',
      labels: [],
      idempotency_key: draft(1).idempotency_key,
      comments: [],
    });
    clock.advance(9_999);
    await box.tick();
    expect(tracker.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    clock.advance(1);
    await box.tick();
    expect(tracker.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    expect(await box.ticketKeyFor(draft(1).idempotency_key)).toBe('FAKE-9');
  });

  it('folds a notification storm into ONE summary when the window allows', async () => {
    const box = outbox();
    for (let n = 1; n <= 12; n++) {
      await box.enqueue({
        kind: 'notify',
        notification: alert(
          n,
          n === 7 ? { mention_roles: ['oncall-engineer'], severity: 'critical' } : {},
        ),
      });
    }
    await box.tick();
    expect(notifier.sent.map((s) => s.incident_id)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `INC-20250131-00${n}`),
    );
    expect(await box.depth()).toEqual([
      { kind: 'notify', state: 'delivered', count: 5 },
      { kind: 'notify', state: 'held', count: 7 },
    ]);
    clock.advance(MINUTE - 1);
    await box.tick();
    expect(notifier.sent).toHaveLength(5);
    // A newer alert joins the held ones rather than jumping the queue.
    await box.enqueue({ kind: 'notify', notification: alert(13) });
    await box.tick();
    expect(notifier.sent).toHaveLength(5);
    clock.advance(1);
    await box.tick();
    expect(notifier.sent).toHaveLength(6);
    const summary = notifier.sent[5];
    expect(summary).toMatchObject({
      kind: 'summary',
      severity: 'critical',
      mention_roles: ['oncall-engineer'],
    });
    for (let n = 6; n <= 13; n++)
      expect(summary?.text).toContain(`INC-20250131-${String(n).padStart(3, '0')}`);
    expect(summary?.text).toContain('held back 8 alert(s) and 0 ticket creation(s)');
    expect(await box.depth()).toEqual([
      { kind: 'notify', state: 'delivered', count: 6 },
      { kind: 'notify', state: 'folded', count: 8 },
    ]);
    // The budget has room again: the next alert goes out as itself.
    await box.enqueue({ kind: 'notify', notification: alert(14) });
    await box.tick();
    expect(notifier.sent.at(-1)?.incident_id).toBe('INC-20250131-014');
  });

  it('never holds an escalation page behind the alert budget: it goes out at once, first', async () => {
    const box = outbox();
    for (let n = 1; n <= 6; n++) await box.enqueue({ kind: 'notify', notification: alert(n) });
    await box.enqueue({
      kind: 'notify',
      notification: alert(99, {
        idempotency_key: 'escalation:INC-20250131-099:L2',
        kind: 'escalation',
        mention_roles: ['oncall-engineer'],
      }),
    });
    await box.tick();
    expect(notifier.sent[0]).toMatchObject({
      kind: 'escalation',
      idempotency_key: 'escalation:INC-20250131-099:L2',
    });
    // The page did not use the budget: five alerts still went out, the sixth is held.
    expect(notifier.sent.filter((s) => s.kind === 'incident')).toHaveLength(5);
    expect(await box.depth()).toEqual([
      { kind: 'notify', state: 'delivered', count: 6 },
      { kind: 'notify', state: 'held', count: 1 },
    ]);
  });

  it('releases a lone held alert to go out as itself instead of a one-line summary', async () => {
    const box = outbox();
    for (let n = 1; n <= 6; n++) await box.enqueue({ kind: 'notify', notification: alert(n) });
    await box.tick();
    expect(notifier.sent).toHaveLength(5);
    clock.advance(MINUTE);
    await box.tick();
    await box.tick();
    expect(notifier.sent.map((s) => s.kind)).toEqual(Array(6).fill('incident'));
  });

  it('folds held ticket creations into a summary notification; their steps follow them', async () => {
    const box = outbox({ ticket_creates_per_window: 3 });
    for (let n = 1; n <= 5; n++) await box.enqueue({ kind: 'ticket.create', draft: draft(n) });
    await box.enqueue({
      kind: 'ticket.transition',
      idempotency_key: 'transition:INC-20250131-005:in_progress',
      ticket: { idempotency_key: draft(5).idempotency_key },
      to: 'in_progress',
    });
    await box.tick();
    await box.tick();
    expect(tracker.calls.filter((c) => c.startsWith('create'))).toHaveLength(3);
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.text).toContain('held back 0 alert(s) and 2 ticket creation(s)');
    expect(notifier.sent[0]?.text).toContain(
      'INC-20250131-004 — Incident 4 on checkout (ticket not opened)',
    );
    await box.tick();
    const step = await box.get('ticket.transition', 'transition:INC-20250131-005:in_progress');
    expect(step?.value.state).toBe('folded');
    expect(tracker.calls.filter((c) => c.startsWith('transition'))).toHaveLength(0);
    // The budget is persisted: a new worker on the same bucket still sees it spent.
    const other = outbox({ ticket_creates_per_window: 3 });
    await other.enqueue({ kind: 'ticket.create', draft: draft(6) });
    await other.tick();
    expect(tracker.calls.filter((c) => c.startsWith('create'))).toHaveLength(3);
  });

  it('delivers the steps of one ticket in order, after its creation', async () => {
    const box = outbox();
    tracker.createOutcomes.push(new DeliveryError('HTTP 500', true, undefined, 500));
    const ticket = { idempotency_key: draft(1).idempotency_key };
    await box.enqueue({ kind: 'ticket.create', draft: draft(1) });
    await box.enqueue({
      kind: 'ticket.transition',
      idempotency_key: 't1',
      ticket,
      to: 'in_progress',
      comment: 'started',
    });
    await box.enqueue({
      kind: 'ticket.comment',
      idempotency_key: 'c1',
      ticket,
      text: 'restarting checkout',
    });
    await box.enqueue({
      kind: 'ticket.transition',
      idempotency_key: 't2',
      ticket,
      to: 'in_review',
    });
    await box.tick();
    expect(tracker.calls.filter((c) => !c.startsWith('find'))).toEqual([
      `create ${draft(1).idempotency_key}`,
    ]);
    tracker.stepOutcomes.push('ok', new DeliveryError('HTTP 503', true, 2000, 503));
    clock.advance(MINUTE);
    await box.tick();
    await box.tick();
    clock.advance(MINUTE);
    await box.tick();
    await box.tick();
    expect(tracker.calls.filter((c) => !c.startsWith('find'))).toEqual([
      `create ${draft(1).idempotency_key}`,
      `create ${draft(1).idempotency_key}`,
      'transition FAKE-1 in_progress "started"',
      'comment FAKE-1 "restarting checkout"',
      'comment FAKE-1 "restarting checkout"',
      'transition FAKE-1 in_review',
    ]);
    expect(tracker.tickets.get('FAKE-1')?.status).toBe('in_review');
  });

  it('takes over the claim of a crashed worker after claim_ttl: still exactly one ticket', async () => {
    const a = outbox({ worker_id: 'a' });
    tracker.createOutcomes.push('hang-after-success');
    await a.enqueue({ kind: 'ticket.create', draft: draft(1) });
    void a.tick();
    await new Promise((resolve) => setImmediate(resolve));
    a.halt();
    const key = itemKey('ticket.create', draft(1).idempotency_key);
    expect(await stored(key)).toMatchObject({ state: 'sending', claimed_by: 'a', attempts: 1 });
    const b = outbox({ worker_id: 'b' });
    await b.tick();
    expect(await stored(key)).toMatchObject({ state: 'sending', claimed_by: 'a' });
    clock.advance(30_000);
    await b.tick();
    expect(await stored(key)).toMatchObject({
      state: 'delivered',
      result_ref: 'FAKE-1',
      attempts: 2,
    });
    expect(tracker.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    expect(logs.at('warn').join('\n')).toContain('claim of a expired');
  });

  it('two workers on one bucket deliver every item once', async () => {
    const a = outbox({ worker_id: 'a' });
    const b = outbox({ worker_id: 'b', notifications_per_window: 50 });
    for (let n = 1; n <= 4; n++) await a.enqueue({ kind: 'notify', notification: alert(n) });
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    expect(notifier.sent.map((s) => s.incident_id).sort()).toEqual(
      [1, 2, 3, 4].map((n) => `INC-20250131-00${n}`),
    );
  });

  it('finishes a summary whose assembler crashed, from the items folded into it', async () => {
    const items = new TypedKv(kv.asKv(), 'outbox', { class: OutboxItemRecord });
    const at = new Date(clock.now()).toISOString();
    const summaryKey = itemKey('notify', 'summary:crashed');
    await items.create(summaryKey, {
      kind: 'notify',
      state: 'assembling',
      idempotency_key: 'summary:crashed',
      created_at: at,
      updated_at: at,
      order: 1,
      attempts: 0,
      next_attempt_at: at,
      claimed_by: 'dead',
      claim_expires_at: new Date(clock.now() + 1000).toISOString(),
      notification: {
        idempotency_key: 'summary:crashed',
        kind: 'summary',
        severity: 'info',
        title: 'x',
        text: '',
        fields: [],
      },
    });
    for (const n of [1, 2]) {
      await items.create(itemKey('notify', alert(n).idempotency_key), {
        kind: 'notify',
        state: 'folded',
        folded_into: summaryKey,
        idempotency_key: alert(n).idempotency_key,
        created_at: at,
        updated_at: at,
        order: 2 + n,
        attempts: 0,
        next_attempt_at: at,
        notification: storedNotification(alert(n)),
      });
    }
    const box = outbox();
    await box.tick();
    expect(notifier.sent).toHaveLength(0);
    clock.advance(1000);
    await box.tick();
    await box.tick();
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.text).toContain('held back 2 alert(s)');
  });

  it('forgets delivered items after retention, keeps failed ones', async () => {
    const box = outbox({ retention_ms: 2 * 60 * 60 * 1000 });
    notifier.outcomes.push('ok', new DeliveryError('HTTP 400', false, undefined, 400));
    await box.enqueue({ kind: 'notify', notification: alert(1) });
    await box.enqueue({ kind: 'notify', notification: alert(2) });
    await box.tick();
    clock.advance(2 * 60 * 60 * 1000 + 1);
    await box.tick();
    expect(await box.depth()).toEqual([{ kind: 'notify', state: 'failed', count: 1 }]);
  });
});
