import { Logger } from '@nestjs/common';
import { type AnyEvent } from '@opscrew/contracts';
import { type JsMsg } from 'nats';
import { ConsumerLoop, type EventHandler, type MessageMeta } from './consumer-loop';
import { DEFAULT_RETRY_BACKOFF } from './delivery-policy';
import { type EventPublisher } from './event-publisher.service';
import { PermanentError, TransientError } from './handler-errors';
import { type NatsConnectionService } from './nats-connection.service';
import { SubjectMapper } from './subject-mapper';
import { CONSUMERS } from './topology';

interface FakeMsg {
  subject: string;
  seq: number;
  data: Uint8Array;
  info: { deliveryCount: number };
  redelivered: boolean;
  ack: jest.Mock;
  nak: jest.Mock;
  term: jest.Mock;
  working: jest.Mock;
}

function msg(subject: string, body: unknown, seq: number, deliveryCount = 1): FakeMsg {
  return {
    subject,
    seq,
    data: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
    info: { deliveryCount },
    redelivered: deliveryCount > 1,
    ack: jest.fn(),
    nak: jest.fn(),
    term: jest.fn(),
    working: jest.fn(),
  };
}

/**
 * Hands the given messages to the pull callback (one per macrotask, like socket reads), then
 * stays open until stopped (like a live pull subscription).
 */
function fakeMessages(list: FakeMsg[], callback: (m: JsMsg) => void) {
  let close: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (close = resolve));
  let stopped = false;
  void (async () => {
    for (const m of list) {
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped) return;
      callback(m as unknown as JsMsg);
    }
  })();
  const stop = () => {
    stopped = true;
    close();
  };
  return {
    stop,
    close: () => {
      stop();
      return Promise.resolve();
    },
    closed: () => closed,
    status: () => Promise.resolve((async function* () {})()),
  };
}

function setup(
  list: FakeMsg[],
  publish: jest.Mock = jest.fn(() => Promise.resolve({ seq: 1, duplicate: false })),
) {
  const bus = {
    subjects: new SubjectMapper('ns', 'OPS'),
    status: () => 'connected',
    connection: () => ({ flush: () => Promise.resolve() }),
    jetstream: () => ({
      consumers: {
        get: () =>
          Promise.resolve({
            consume: (options: { callback: (m: JsMsg) => void }) =>
              Promise.resolve(fakeMessages(list, options.callback)),
          }),
      },
    }),
  } as unknown as NatsConnectionService;
  const publisher = { publish } as unknown as EventPublisher;
  return { bus, publisher, publish };
}

const detected = (id: string) => ({
  schema: 1,
  id,
  at: '2025-01-31T12:00:00.000Z',
  source: 'ops-monitor',
  incident_id: 'INC-20250131-001',
  fingerprint: 'checkout:oom_kill',
  service: 'checkout',
  symptom: 'oom_kill',
  severity: 'critical',
  value: 1,
  detected_at: '2025-01-31T12:00:00.000Z',
});

async function run(
  declaration: (typeof CONSUMERS)[keyof typeof CONSUMERS],
  list: FakeMsg[],
  handler: EventHandler<AnyEvent>,
  publish?: jest.Mock,
) {
  const ctx = setup(list, publish);
  const loop = new ConsumerLoop(
    ctx.bus,
    ctx.publisher,
    {
      declaration,
      maxDeliver: declaration.max_deliver,
      ackWaitMs: declaration.ack_wait_ms,
      pullBatch: 1,
      retry: DEFAULT_RETRY_BACKOFF,
    },
    handler,
  );
  const settled = (m: FakeMsg) =>
    m.ack.mock.calls.length + m.nak.mock.calls.length + m.term.mock.calls.length > 0;
  for (let i = 0; i < 100 && !list.every(settled); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await loop.stop();
  return ctx;
}

describe('ConsumerLoop (fake pull iterator)', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  const ledger = CONSUMERS['atlas-ledger'];

  it('acks after the handler returns, with logical subject and meta', async () => {
    const m = msg('ns.incident.detected.ops-monitor', detected('a'), 5, 2);
    const seen: MessageMeta[] = [];
    await run(ledger, [m], (_e, meta) => void seen.push(meta));
    expect(m.ack).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      {
        subject: 'incident.detected',
        publisher: 'ops-monitor',
        seq: 5,
        deliveryCount: 2,
        redelivered: true,
      },
    ]);
  });

  it('naks a transient failure with the backoff for its delivery count', async () => {
    const m = msg('ns.incident.detected.ops-monitor', detected('a'), 5, 3);
    await run(ledger, [m], () => {
      throw new TransientError('busy');
    });
    expect(m.nak).toHaveBeenCalledWith(4_000);
    expect(m.term).not.toHaveBeenCalled();
  });

  it('terms and dead-letters invalid input without calling the handler', async () => {
    const m = msg('ns.incident.detected.ops-monitor', '{"oops"', 8);
    const handler = jest.fn();
    const { publish } = await run(ledger, [m], handler);
    expect(handler).not.toHaveBeenCalled();
    expect(m.term).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith(
      'deadletter.atlas-ledger',
      expect.objectContaining({
        consumer: 'atlas-ledger',
        subject: 'incident.detected',
        stream_seq: 8,
        delivery_count: 1,
        reason: 'incident.detected: invalid JSON at position 7',
        raw: '{"oops"',
      }),
      { id: 'dl:atlas-ledger:8' },
    );
  });

  it('dead-letters a PermanentError and a subject outside the namespace or filter', async () => {
    const permanent = msg('ns.incident.detected.ops-monitor', detected('a'), 1);
    const foreign = msg('other.incident.detected', detected('b'), 2);
    const unfiltered = msg('ns.lock.acquired', {}, 3);
    const { publish } = await run(ledger, [permanent, foreign, unfiltered], () => {
      throw new PermanentError('nope');
    });
    for (const m of [permanent, foreign, unfiltered]) expect(m.term).toHaveBeenCalledTimes(1);
    const reasons = publish.mock.calls.map((c: unknown[]) => (c[1] as { reason: string }).reason);
    expect(reasons).toEqual([
      'incident.detected: handler failed permanently: nope',
      'other.incident.detected: subject is outside namespace "ns"',
      'lock.acquired: not matched by consumer filter incident.>',
    ]);
  });

  it('acks a subject its declaration ignores unread: no handler call, no dead letter even when invalid', async () => {
    const valid = msg(
      'ns.incident.reported',
      {
        schema: 1,
        id: 'r1',
        at: '2025-01-31T12:00:00.000Z',
        source: 'external',
        service: 'cart',
        symptom: 'high_error_rate',
        value: 0.2,
        reporter: 'billing-probe',
      },
      1,
    );
    const invalid = msg('ns.incident.reported', '{"not": "a report"', 2);
    const handler = jest.fn();
    const { publish } = await run(ledger, [valid, invalid], handler);
    expect(handler).not.toHaveBeenCalled();
    expect(publish).not.toHaveBeenCalled();
    for (const m of [valid, invalid]) {
      expect(m.ack).toHaveBeenCalledTimes(1);
      expect(m.term).not.toHaveBeenCalled();
    }
  });

  it('naks instead of terming when the dead letter cannot be published (nothing lost)', async () => {
    const m = msg('ns.incident.detected.ops-monitor', 'garbage', 4);
    await run(
      ledger,
      [m],
      jest.fn(),
      jest.fn(() => Promise.reject(new Error('bus down'))),
    );
    expect(m.term).not.toHaveBeenCalled();
    expect(m.nak).toHaveBeenCalledWith(DEFAULT_RETRY_BACKOFF.initial_delay_ms);
  });

  it('never dead-letters a dead letter (no loop through the dead-letter consumer)', async () => {
    const m = msg('ns.deadletter.atlas-ledger', 'garbage', 4);
    const { publish } = await run(CONSUMERS['atlas-deadletters'], [m], jest.fn());
    expect(publish).not.toHaveBeenCalled();
    expect(m.term).toHaveBeenCalledTimes(1);
  });

  it('sends in-progress pings while a slow handler runs', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const m = msg('ns.incident.detected.ops-monitor', detected('a'), 1);
      let finish: () => void = () => undefined;
      const ctx = setup([m]);
      const loop = new ConsumerLoop(
        ctx.bus,
        ctx.publisher,
        {
          declaration: ledger,
          maxDeliver: 10,
          ackWaitMs: 30_000,
          pullBatch: 1,
          retry: DEFAULT_RETRY_BACKOFF,
        },
        () => new Promise<void>((resolve) => (finish = resolve)),
      );
      await jest.advanceTimersByTimeAsync(0);
      await jest.advanceTimersByTimeAsync(25_000);
      expect(m.working).toHaveBeenCalledTimes(2);
      finish();
      await jest.advanceTimersByTimeAsync(0);
      expect(m.ack).toHaveBeenCalled();
      const stopping = loop.stop();
      await jest.advanceTimersByTimeAsync(0);
      await stopping;
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('ConsumerLoop: poison never waits for handlers', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  const settled = (m: FakeMsg) =>
    m.ack.mock.calls.length + m.nak.mock.calls.length + m.term.mock.calls.length > 0;

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !check(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(check()).toBe(true);
  }

  function start(
    declaration: (typeof CONSUMERS)[keyof typeof CONSUMERS],
    list: FakeMsg[],
    handler: EventHandler<AnyEvent>,
    extra: {
      deadLettered?: jest.Mock;
      sampling?: { window_ms: number; stored_per_window: number };
    } = {},
  ) {
    const ctx = setup(list);
    const loop = new ConsumerLoop(
      ctx.bus,
      ctx.publisher,
      {
        declaration,
        maxDeliver: declaration.max_deliver,
        ackWaitMs: declaration.ack_wait_ms,
        pullBatch: declaration.pull_batch,
        retry: DEFAULT_RETRY_BACKOFF,
        ...(extra.sampling === undefined ? {} : { sampling: extra.sampling }),
        metrics: { deadLettered: extra.deadLettered ?? jest.fn() },
      },
      handler,
    );
    return { ...ctx, loop };
  }

  const invalid = (seq: number) =>
    msg(
      'ns.incident.detected.ops-monitor',
      { ...detected(`bad-${seq}`), severity: 'apocalyptic' },
      seq,
    );

  it('dead-letters invalid messages while every handler slot is busy with a valid one', async () => {
    const declaration = CONSUMERS['jira-resolver-incidents'];
    const valid = Array.from({ length: declaration.concurrency }, (_, i) =>
      msg(
        'ns.incident.detected.ops-monitor',
        { ...detected(`v${i}`), incident_id: `INC-20250131-10${i}` },
        i + 1,
      ),
    );
    const bad = Array.from({ length: 50 }, (_, i) => invalid(100 + i));
    let release: () => void = () => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const handler = jest.fn(() => hold);
    const { loop } = start(declaration, [...valid, ...bad], handler);
    await until(() => bad.every((m) => m.term.mock.calls.length === 1));
    // All slots still held by the valid ones: the bad ones went past them.
    expect(handler).toHaveBeenCalledTimes(declaration.concurrency);
    expect(valid.some(settled)).toBe(false);
    release();
    await until(() => valid.every((m) => m.ack.mock.calls.length === 1));
    await loop.stop();
  });

  it('reaches a valid incident behind a flood without calling the handler for the flood', async () => {
    const bad = Array.from({ length: 500 }, (_, i) => invalid(i + 1));
    const good = msg('ns.incident.detected.ops-monitor', detected('good'), 501);
    const handler = jest.fn();
    const deadLettered = jest.fn();
    const { loop, publish } = start(CONSUMERS['jira-resolver-incidents'], [...bad, good], handler, {
      deadLettered,
    });
    await until(() => good.ack.mock.calls.length === 1);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(bad.every((m) => m.term.mock.calls.length === 1)).toBe(true);
    await loop.stop();
    // Sampled: 5 full records and one summary standing for the other 495, not 500 records.
    const records = publish.mock.calls.map((c: unknown[]) => c[1] as Record<string, unknown>);
    expect(records).toHaveLength(6);
    expect(records.slice(0, 5).every((r) => r['suppressed'] === undefined)).toBe(true);
    expect(records[5]).toMatchObject({
      consumer: 'jira-resolver-incidents',
      kind: 'schema',
      suppressed: 495,
      stream_seq: 500,
    });
    expect(deadLettered).toHaveBeenCalledTimes(500);
    expect(deadLettered.mock.calls.filter((c: unknown[]) => c[2] === true)).toHaveLength(5);
    expect(deadLettered).toHaveBeenCalledWith('jira-resolver-incidents', 'schema', false);
  });

  it('bounds valid handlers at the declared concurrency', async () => {
    const declaration = CONSUMERS['jira-resolver-incidents'];
    const list = Array.from({ length: 12 }, (_, i) =>
      msg(
        'ns.incident.detected.ops-monitor',
        { ...detected(`v${i}`), incident_id: `INC-20250131-0${10 + i}` },
        i + 1,
      ),
    );
    let running = 0;
    let peak = 0;
    const { loop } = start(declaration, list, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
    });
    await until(() => list.every((m) => m.ack.mock.calls.length === 1));
    expect(peak).toBe(declaration.concurrency);
    await loop.stop();
  });

  it("keeps one incident's events in stream order (the ledger) while other incidents run alongside", async () => {
    const updated = (id: string, incident: string, seq: number) =>
      msg(
        'ns.incident.updated.jira-resolver',
        {
          schema: 1,
          id,
          at: '2025-01-31T12:00:00.000Z',
          source: 'jira-resolver',
          incident_id: incident,
          fingerprint: 'checkout:oom_kill',
          phase: 'triaged',
        },
        seq,
      );
    const a1 = msg(
      'ns.incident.detected.ops-monitor',
      { ...detected('a1'), incident_id: 'INC-20250131-001' },
      1,
    );
    const a2 = updated('a2', 'INC-20250131-001', 2);
    const b1 = msg(
      'ns.incident.detected.ops-monitor',
      { ...detected('b1'), incident_id: 'INC-20250131-002' },
      3,
    );
    const log: string[] = [];
    const { loop } = start(CONSUMERS['atlas-ledger'], [a1, a2, b1], async (event) => {
      log.push(`start ${event.id}`);
      // a1 is slow: b1 (another incident) overtakes it, a2 (the same incident) must not.
      await new Promise((resolve) => setTimeout(resolve, event.id === 'a1' ? 60 : 1));
      log.push(`end ${event.id}`);
    });
    await until(() => [a1, a2, b1].every((m) => m.ack.mock.calls.length === 1));
    await loop.stop();
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('pings a valid message waiting for a handler slot, not only the running one', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const declaration = CONSUMERS['atlas-postmortems']; // one at a time, ack_wait 120 s
      const running = msg('ns.incident.detected.ops-monitor', detected('running'), 1);
      const waiting = msg('ns.incident.detected.ops-monitor', detected('waiting'), 2);
      let finish: () => void = () => undefined;
      const { loop } = start(
        declaration,
        [running, waiting],
        () => new Promise<void>((resolve) => (finish = resolve)),
      );
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      await jest.advanceTimersByTimeAsync(45_000); // one ping interval (ack_wait / 3)
      expect(running.working).toHaveBeenCalledTimes(1);
      expect(waiting.working).toHaveBeenCalledTimes(1);
      finish();
      await jest.advanceTimersByTimeAsync(0);
      finish();
      await jest.advanceTimersByTimeAsync(0);
      const stopping = loop.stop();
      await jest.advanceTimersByTimeAsync(0);
      await stopping;
      expect(running.ack).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('hands back valid messages no handler started when stopped', async () => {
    const declaration = CONSUMERS['atlas-postmortems']; // one at a time
    const first = msg('ns.incident.detected.ops-monitor', detected('first'), 1);
    const queued = msg('ns.incident.detected.ops-monitor', detected('queued'), 2);
    let release: () => void = () => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const handler = jest.fn(() => hold);
    const { loop } = start(declaration, [first, queued], handler);
    await until(() => handler.mock.calls.length === 1 && queued.data.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = loop.stop();
    await until(() => queued.nak.mock.calls.length === 1);
    expect(first.ack).not.toHaveBeenCalled();
    release();
    await stopping;
    expect(first.ack).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('ConsumerLoop: who sent it is the subject’s publisher, not the payload’s source', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  const incidents = CONSUMERS['jira-resolver-incidents'];

  async function receive(
    list: FakeMsg[],
    declaration: typeof incidents | typeof ledger = incidents,
  ) {
    const ctx = setup(list);
    const audit = { senderMismatch: jest.fn(() => Promise.resolve()) };
    const deadLettered = jest.fn();
    const handler = jest.fn();
    const seen: MessageMeta[] = [];
    const loop = new ConsumerLoop(
      ctx.bus,
      ctx.publisher,
      {
        declaration,
        maxDeliver: declaration.max_deliver,
        ackWaitMs: declaration.ack_wait_ms,
        pullBatch: 8,
        retry: DEFAULT_RETRY_BACKOFF,
        metrics: { deadLettered },
        audit,
      },
      (event, meta) => {
        seen.push(meta);
        handler(event);
      },
    );
    const settled = (m: FakeMsg) =>
      m.ack.mock.calls.length + m.nak.mock.calls.length + m.term.mock.calls.length > 0;
    for (let i = 0; i < 200 && !list.every(settled); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await loop.stop();
    return { ...ctx, audit, deadLettered, handler, seen };
  }
  const ledger = CONSUMERS['atlas-ledger'];

  it('dead-letters a forged incident.detected (source ops-monitor, published by another user) as source_mismatch, audits it, never calls the handler', async () => {
    const forged = msg('ns.incident.detected.demo-controller', detected('forged'), 41);
    const { handler, publish, audit, deadLettered } = await receive([forged]);
    expect(handler).not.toHaveBeenCalled();
    expect(forged.term).toHaveBeenCalledTimes(1);
    expect(forged.ack).not.toHaveBeenCalled();
    expect(publish).toHaveBeenCalledWith(
      'deadletter.jira-resolver-incidents',
      expect.objectContaining({
        subject: 'incident.detected',
        stream_seq: 41,
        kind: 'source_mismatch',
        reason: expect.stringContaining('published by demo-controller') as unknown,
      }),
      { id: 'dl:jira-resolver-incidents:41' },
    );
    expect(deadLettered).toHaveBeenCalledWith('jira-resolver-incidents', 'source_mismatch', true);
    expect(audit.senderMismatch).toHaveBeenCalledWith({
      consumer: 'jira-resolver-incidents',
      subject: 'incident.detected',
      claimed: 'ops-monitor',
      publisher: 'demo-controller',
      seq: 41,
      reason: expect.stringContaining('does not publish it') as unknown,
    });
  });

  it('dead-letters a claim that does not match a publisher that may send the subject', async () => {
    // jira-resolver may publish incident.detected (its todo-ticket poller), but not as ops-monitor.
    const claimed = msg('ns.incident.detected.jira-resolver', detected('claimed'), 42);
    const { handler, audit } = await receive([claimed]);
    expect(handler).not.toHaveBeenCalled();
    expect(claimed.term).toHaveBeenCalledTimes(1);
    expect(audit.senderMismatch).toHaveBeenCalledWith(
      expect.objectContaining({
        claimed: 'ops-monitor',
        publisher: 'jira-resolver',
        reason: 'incident.detected: claims source "ops-monitor" but was published by jira-resolver',
      }),
    );
  });

  it('dead-letters an unattributed event other than incident.reported', async () => {
    const bare = msg('ns.incident.detected', detected('bare'), 43);
    const { handler, audit, seen } = await receive([bare], ledger);
    expect(seen).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
    expect(bare.term).toHaveBeenCalledTimes(1);
    expect(audit.senderMismatch).toHaveBeenCalledWith(
      expect.objectContaining({ publisher: null, claimed: 'ops-monitor', seq: 43 }),
    );
  });

  it('hands a genuine event to the handler with the verified publisher', async () => {
    const genuine = msg('ns.incident.detected.ops-monitor', detected('genuine'), 44);
    const ticket = msg(
      'ns.incident.detected.jira-resolver',
      { ...detected('ticket'), source: 'jira-resolver', incident_id: 'INC-20250131-002' },
      45,
    );
    const { handler, audit, seen } = await receive([genuine, ticket]);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(genuine.ack).toHaveBeenCalledTimes(1);
    expect(ticket.ack).toHaveBeenCalledTimes(1);
    expect(seen.map((meta) => [meta.subject, meta.publisher])).toEqual([
      ['incident.detected', 'ops-monitor'],
      ['incident.detected', 'jira-resolver'],
    ]);
    expect(audit.senderMismatch).not.toHaveBeenCalled();
  });
});
