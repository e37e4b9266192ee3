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

/** Yields the given messages, then waits until closed (like a live pull iterator). */
function fakeMessages(list: FakeMsg[]) {
  let close: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (close = resolve));
  return {
    close: () => {
      close();
      return Promise.resolve();
    },
    status: () => Promise.resolve((async function* () {})()),
    async *[Symbol.asyncIterator]() {
      for (const m of list) yield m as unknown as JsMsg;
      await closed;
    },
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
        get: () => Promise.resolve({ consume: () => Promise.resolve(fakeMessages(list)) }),
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
    const m = msg('ns.incident.detected', detected('a'), 5, 2);
    const seen: MessageMeta[] = [];
    await run(ledger, [m], (_e, meta) => void seen.push(meta));
    expect(m.ack).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      { subject: 'incident.detected', seq: 5, deliveryCount: 2, redelivered: true },
    ]);
  });

  it('naks a transient failure with the backoff for its delivery count', async () => {
    const m = msg('ns.incident.detected', detected('a'), 5, 3);
    await run(ledger, [m], () => {
      throw new TransientError('busy');
    });
    expect(m.nak).toHaveBeenCalledWith(4_000);
    expect(m.term).not.toHaveBeenCalled();
  });

  it('terms and dead-letters invalid input without calling the handler', async () => {
    const m = msg('ns.incident.detected', '{"oops"', 8);
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
    const permanent = msg('ns.incident.detected', detected('a'), 1);
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

  it('naks instead of terming when the dead letter cannot be published (nothing lost)', async () => {
    const m = msg('ns.incident.detected', 'garbage', 4);
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
      const m = msg('ns.incident.detected', detected('a'), 1);
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
