import { KV_BUCKETS, TicketRecord } from '@opscrew/contracts';
import { KvFactory, type NatsConnectionService, TypedKv } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { DeliveryError, idempotencyHash, type TicketDraft } from '@opscrew/ports';
import { type KV } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { LocalTracker } from './local.tracker';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(30_000));

const draft = (n: number): TicketDraft => ({
  idempotency_key: `ticket:INC-20250131-${String(n).padStart(3, '0')}`,
  incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
  summary: `High error rate @everyone on service ${n}`,
  severity: 'high',
  service: 'checkout',
  labels: ['auto-detected', 'ops monitor'],
  sections: [
    { label: 'Symptom', text: 'error_rate_pct 12 > 5' },
    { label: 'Trace', text: 'trace', href: 'https://signoz.example.com/trace/1' },
  ],
});

describe('LocalTracker against NATS KV', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let other: NatsConnectionService;
  let kv: KV;
  let otherKv: KV;

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'tickets-a'));
    ({ bus: other } = await openTestBus(NATS_URL, namespace, 'tickets-b'));
    kv = await new KvFactory(bus).raw(KV_BUCKETS.tickets);
    otherKv = await new KvFactory(other).raw(KV_BUCKETS.tickets);
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await other.close();
    await bus.close();
  });

  it('runs the Jira lifecycle: todo → in_progress → in_review → done, with comments kept', async () => {
    const tracker = new LocalTracker(kv, { project_key: 'OPS' });
    const ticket = await tracker.create(draft(1));
    expect(ticket).toMatchObject({ key: 'OPS-1', status: 'todo', incident_id: 'INC-20250131-001' });
    expect(ticket.summary).toBe('High error rate @\u200Beveryone on service 1');
    expect(ticket.labels).toEqual(['auto-detected', 'ops-monitor']);
    await tracker.transition('OPS-1', 'in_progress', 'runbook restart-service started', {
      idempotency_key: 't1',
    });
    // A retried transition is a no-op (already there).
    await tracker.transition('OPS-1', 'in_progress', 'runbook restart-service started', {
      idempotency_key: 't1',
    });
    await tracker.comment('OPS-1', 'restarted checkout', { idempotency_key: 'c1' });
    await tracker.comment('OPS-1', 'restarted checkout', { idempotency_key: 'c1' });
    await tracker.transition('OPS-1', 'in_review');
    await tracker.transition('OPS-1', 'done', 'verified: 5 consecutive passes');
    expect(await tracker.get('OPS-1')).toMatchObject({ status: 'done' });
    const record = await new TypedKv(kv, 'tickets', { class: TicketRecord }).get('OPS-1');
    expect(record?.value.comments.map((c) => c.text)).toEqual([
      'runbook restart-service started',
      'restarted checkout',
      'verified: 5 consecutive passes',
    ]);
    expect((await tracker.comments('OPS-1')).map((c) => c.text)).toEqual(
      record?.value.comments.map((c) => c.text),
    );
    expect(await tracker.comments('../OPS-1')).toEqual([]);
    expect(record?.value.history.map((h) => `${h.from}→${h.to}`)).toEqual([
      'todo→in_progress',
      'in_progress→in_review',
      'in_review→done',
    ]);
    expect(record?.value.idempotency_key).toBe(draft(1).idempotency_key);
    expect(record?.value.sections[1]?.href).toBe('https://signoz.example.com/trace/1');
  });

  it('refuses a move the workflow does not have, and a missing ticket, as final errors', async () => {
    const tracker = new LocalTracker(kv, { project_key: 'OPS' });
    await tracker.create(draft(2));
    const key = (await tracker.findByIdempotencyKey(draft(2).idempotency_key))?.key ?? '';
    await expect(tracker.transition(key, 'in_review')).rejects.toMatchObject({ retryable: false });
    await expect(tracker.comment('OPS-999', 'x')).rejects.toBeInstanceOf(DeliveryError);
    expect(await tracker.get('OPS-999')).toBeNull();
  });

  it('makes a conditional transition (only_from) only from a listed status, else nothing', async () => {
    const tracker = new LocalTracker(kv, { project_key: 'RPN' });
    const reopen = { idempotency_key: 'reopen', only_from: ['done'] as const };
    const done = (await tracker.create(draft(20))).key;
    await tracker.transition(done, 'done');
    await tracker.transition(done, 'todo', 'incident recurred', reopen);
    expect(await tracker.get(done)).toMatchObject({ status: 'todo' });
    expect((await tracker.comments(done)).map((c) => c.text)).toEqual(['incident recurred']);

    // A person escalated it: it stays theirs, no error, no history, no comment.
    const taken = (await tracker.create(draft(21))).key;
    await tracker.transition(taken, 'escalated');
    await tracker.transition(taken, 'todo', 'incident recurred', reopen);
    const record = await new TypedKv(kv, 'tickets', { class: TicketRecord }).get(taken);
    expect(record?.value.status).toBe('escalated');
    expect(record?.value.history.map((h) => `${h.from}→${h.to}`)).toEqual(['todo→escalated']);
    expect(record?.value.comments).toEqual([]);
    // Without only_from the same move is refused by the workflow, as before.
    await expect(tracker.transition(taken, 'todo')).rejects.toMatchObject({ retryable: false });
  });

  it('finds by idempotency key through the index key (O(1))', async () => {
    const tracker = new LocalTracker(kv, { project_key: 'OPS' });
    const created = await tracker.create(draft(3));
    const index = await kv.get(`idem.${idempotencyHash(draft(3).idempotency_key)}`);
    expect(index?.json<{ ticket_key: string }>().ticket_key).toBe(created.key);
    expect(await tracker.findByIdempotencyKey(draft(3).idempotency_key)).toMatchObject({
      key: created.key,
    });
    expect(await tracker.findByIdempotencyKey('ticket:never')).toBeNull();
    // Creating again returns the same ticket.
    expect(await tracker.create(draft(3))).toMatchObject({ key: created.key });
  });

  it('creates ONE ticket when many creators race on one idempotency key (two connections)', async () => {
    const trackers = [
      new LocalTracker(kv, { project_key: 'RACE' }),
      new LocalTracker(otherKv, { project_key: 'RACE' }),
    ];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (trackers[i % 2] as LocalTracker).create(draft(4))),
    );
    const keys = new Set(results.map((t) => t.key));
    expect(keys.size).toBe(1);
    const all = await trackers[0]?.listByStatus('todo', 'auto-detected');
    expect(all?.filter((t) => t.incident_id === 'INC-20250131-004')).toHaveLength(1);
  });

  it('lists tickets by status and label, in key order', async () => {
    const tracker = new LocalTracker(kv, { project_key: 'LST' });
    for (const n of [5, 6, 7]) await tracker.create(draft(n));
    await tracker.transition('LST-2', 'in_progress');
    const todo = await tracker.listByStatus('todo', 'ops-monitor');
    expect(todo.map((t) => t.key)).toEqual(expect.arrayContaining(['LST-1', 'LST-3']));
    expect(todo.map((t) => t.key)).not.toContain('LST-2');
  });
});
