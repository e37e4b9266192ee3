import { Logger } from '@nestjs/common';
import {
  type DeadLetterEvent,
  type EventPayloads,
  EventValidationError,
  type HeartbeatEvent,
  type IncidentDetectedEvent,
  parseEvent,
} from '@opscrew/contracts';
import { jestTimeout } from '@opscrew/testing';
import { type ConsumerHandle, type MessageMeta } from './consumer-loop';
import { EventPublisher } from './event-publisher.service';
import { PermanentError, TransientError } from './handler-errors';
import { type NatsConnectionService } from './nats-connection.service';
import { eventually, openTestBus, removeTestTopology } from './testing/integration-bus';
import { CrewConsumers } from './testing/crew-consumers';
import { testNamespace } from './testing/test-namespace';
import { type ConsumerName, CONSUMERS, STREAM_SUBJECTS } from './topology';
import { consumerStream, provisionAll } from './topology.provisioner';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/** nak delays short enough for a test, same curve. */
const FAST_RETRY = { initial_delay_ms: 100, max_delay_ms: 400 };

let counter = 0;
const incident = (
  overrides: Partial<EventPayloads['incident.detected']> = {},
): EventPayloads['incident.detected'] => {
  counter += 1;
  return {
    incident_id: `INC-20250131-${String(counter).padStart(3, '0')}`,
    fingerprint: `checkout:high_error_rate:${counter}`,
    service: 'checkout',
    symptom: 'high_error_rate',
    severity: 'high',
    value: 0.3,
    detected_at: new Date().toISOString(),
    ...overrides,
  };
};

describe('event bus against NATS JetStream', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let publisher: EventPublisher;
  let consumers: CrewConsumers;
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace));
    publisher = new EventPublisher(bus, 'ops-monitor');
    // Each consumer as its owner runs it: dead letters go out as that user.
    consumers = new CrewConsumers(bus);
  });

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.stop()));
  });

  afterAll(async () => {
    await consumers.stopAll();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  const consumerInfo = async (durable: ConsumerName) =>
    (await bus.jetstreamManager()).consumers.info(
      consumerStream(bus.subjects, CONSUMERS[durable]),
      durable,
    );

  /** Empties a consumer of everything earlier tests left (acks it all). */
  const drain = async (
    durable: 'atlas-ledger' | 'atlas-deadletters' | 'jira-resolver-incidents',
  ): Promise<void> => {
    const handle = await consumers.consume(durable, () => undefined);
    await eventually(
      async () =>
        (await consumerInfo(durable)).num_pending === 0 &&
        (await consumerInfo(durable)).num_ack_pending === 0,
    );
    await handle.stop();
  };

  it('provisions idempotently: a second run changes nothing, a drifted stream is updated in place', async () => {
    const jsm = await bus.jetstreamManager();
    const stream = bus.subjects.stream();
    const again = await provisionAll(jsm, bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    expect(again.stream).toEqual({ name: stream, action: 'unchanged' });
    expect(again.consumers.every((c) => c.action === 'unchanged')).toBe(true);
    expect(again.buckets.every((b) => b.action === 'unchanged')).toBe(true);

    await publisher.publish('incident.detected', incident());
    const before = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...before.config, subjects: [`${namespace}.incident.>`] });

    const fixed = await provisionAll(jsm, bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    expect(fixed.stream.action).toBe('updated');
    expect(fixed.stream.changes?.[0]).toMatch(/^subjects /);
    const after = await jsm.streams.info(stream);
    expect(after.created).toBe(before.created); // same stream, not recreated
    expect(after.state.messages).toBe(before.state.messages); // no data lost
    expect(after.config.subjects).toHaveLength(STREAM_SUBJECTS.length);
    await drain('atlas-ledger');
  });

  it('publish → consume → ack: the handler sees the typed event once, and the ack lands', async () => {
    await drain('atlas-ledger');
    const payload = incident();
    const published = await publisher.publish('incident.detected', payload);
    expect(published.duplicate).toBe(false);
    expect(published.seq).toBeGreaterThan(0);
    expect(published.event.source).toBe('ops-monitor');

    const seen: Array<{ event: IncidentDetectedEvent; meta: MessageMeta }> = [];
    handles.push(
      await consumers.consume('jira-resolver-incidents', (event, meta) => {
        if (event.incident_id === payload.incident_id) seen.push({ event, meta });
      }),
    );
    await eventually(() => seen.length === 1);
    const [first] = seen;
    expect(first?.event.id).toBe(published.event.id);
    expect(first?.event.severity).toBe('high');
    expect(first?.meta).toEqual({
      subject: 'incident.detected',
      // Verified: the subject the server let ops-monitor publish on, matching its source claim.
      publisher: 'ops-monitor',
      seq: published.seq,
      deliveryCount: 1,
      redelivered: false,
    });
    await eventually(async () => {
      const info = await consumerInfo('jira-resolver-incidents');
      return info.num_ack_pending === 0 && info.ack_floor.stream_seq >= published.seq;
    });
    const info = await consumerInfo('jira-resolver-incidents');
    expect(info.num_redelivered).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it('refuses an invalid payload before sending anything', async () => {
    const jsm = await bus.jetstreamManager();
    const before = (await jsm.streams.info(bus.subjects.stream())).state.last_seq;
    await expect(
      publisher.publish('incident.detected', { ...incident(), severity: 'urgent' as 'high' }),
    ).rejects.toThrow(EventValidationError);
    expect((await jsm.streams.info(bus.subjects.stream())).state.last_seq).toBe(before);
  });

  it('transient failure → nak with backoff → redelivered with deliveryCount 2 → acked', async () => {
    await drain('atlas-ledger');
    const payload = incident();
    const published = await publisher.publish('incident.detected', payload);
    const deliveries: MessageMeta[] = [];
    handles.push(
      await consumers.consume(
        'atlas-ledger',
        (event, meta) => {
          if (!('incident_id' in event) || event.incident_id !== payload.incident_id) return;
          deliveries.push(meta);
          if (meta.deliveryCount === 1) throw new TransientError('ledger busy');
        },
        { retry: FAST_RETRY },
      ),
    );
    await eventually(() => deliveries.length === 2);
    expect(deliveries.map((d) => [d.deliveryCount, d.redelivered, d.seq])).toEqual([
      [1, false, published.seq],
      [2, true, published.seq],
    ]);
    await eventually(async () => (await consumerInfo('atlas-ledger')).num_ack_pending === 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deliveries).toHaveLength(2);
  });

  it('dedups by Nats-Msg-Id: the second publish is a duplicate and consumers see one message', async () => {
    await drain('atlas-ledger');
    const payload = incident();
    const id = `dedup-${namespace}`;
    const first = await publisher.publish('incident.detected', payload, { id });
    const second = await publisher.publish('incident.detected', payload, { id });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);

    const seen: string[] = [];
    handles.push(await consumers.consume('atlas-ledger', (event) => void seen.push(event.id)));
    await eventually(
      async () => (await consumerInfo('atlas-ledger')).num_pending === 0 && seen.includes(id),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.filter((s) => s === id)).toHaveLength(1);
  });

  it('terms invalid input, dead-letters it, and keeps processing the next valid message', async () => {
    await drain('atlas-ledger');
    await drain('atlas-deadletters');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const js = bus.jetstream();
    // Sent by a user allowed to publish incident.detected: only the payload is wrong.
    const wire = bus.subjects.toPublishWire('incident.detected', 'ops-monitor');
    const badJson = await js.publish(wire, new TextEncoder().encode('{"incident_id": '));
    const badPayload = await js.publish(
      wire,
      new TextEncoder().encode(
        JSON.stringify({ ...published(incident()), severity: 'urgent', extra: 1 }),
      ),
    );
    const good = await publisher.publish('incident.detected', incident());

    const handled: number[] = [];
    handles.push(
      await consumers.consume('atlas-ledger', (_event, meta) => void handled.push(meta.seq)),
    );
    await eventually(() => handled.includes(good.seq));
    expect(handled).not.toContain(badJson.seq);
    expect(handled).not.toContain(badPayload.seq);

    const letters: DeadLetterEvent[] = [];
    handles.push(await consumers.consume('atlas-deadletters', (event) => void letters.push(event)));
    await eventually(() => letters.length >= 2);
    const bySeq = new Map(letters.map((l) => [l.stream_seq, l]));
    expect(bySeq.get(badJson.seq)).toMatchObject({
      consumer: 'atlas-ledger',
      subject: 'incident.detected',
      delivery_count: 1,
      reason: 'incident.detected: invalid JSON at position 16',
      raw: '{"incident_id": ',
      // Written by atlas-ledger's owner.
      source: 'atlas',
    });
    expect(bySeq.get(badPayload.seq)?.reason).toBe(
      'incident.detected: extra: is not allowed (unknown key); severity: must be one of critical, high, medium, low, info',
    );
    const dl = await (
      await bus.jetstreamManager()
    ).streams.getMessage(bus.subjects.deadLetterStream(), {
      last_by_subj: bus.subjects.toPublishWire('deadletter.atlas-ledger', 'atlas'),
    });
    expect(parseEvent('deadletter.atlas-ledger', dl.data).ok).toBe(true);

    const info = await consumerInfo('atlas-ledger');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `dead-lettering: consumer=atlas-ledger subject=incident.detected seq=${badJson.seq} reason=incident.detected: invalid JSON`,
          ),
        ) as unknown,
      ]),
    );
    warn.mockRestore();
  });

  it('dead-letters a PermanentError at once', async () => {
    await drain('jira-resolver-incidents');
    await drain('atlas-deadletters');
    const payload = incident();
    const published = await publisher.publish('incident.detected', payload);
    let calls = 0;
    handles.push(
      await consumers.consume('jira-resolver-incidents', (event) => {
        if (event.incident_id !== payload.incident_id) return;
        calls += 1;
        throw new PermanentError('no runbook matches');
      }),
    );
    const letters: DeadLetterEvent[] = [];
    handles.push(await consumers.consume('atlas-deadletters', (event) => void letters.push(event)));
    await eventually(() => letters.some((l) => l.stream_seq === published.seq));
    expect(letters.find((l) => l.stream_seq === published.seq)).toMatchObject({
      consumer: 'jira-resolver-incidents',
      reason: 'incident.detected: handler failed permanently: no runbook matches',
    });
    expect(calls).toBe(1);
  });

  it('dead-letters at the last allowed delivery (max_deliver), so nothing is silently lost', async () => {
    await drain('atlas-deadletters');
    // atlas-heartbeats: max_deliver 3, starts at new messages.
    const deliveries: number[] = [];
    handles.push(
      await consumers.consume(
        'atlas-heartbeats',
        (_event: HeartbeatEvent, meta) => {
          deliveries.push(meta.deliveryCount);
          throw new Error('always failing');
        },
        { retry: { initial_delay_ms: 50, max_delay_ms: 50 } },
      ),
    );
    const beat = await publisher.publish('heartbeat.ops-monitor', {
      agent: 'ops-monitor',
      version: 'test',
      pid: process.pid,
      uptime_s: 1,
      status: 'ok',
    });
    const letters: DeadLetterEvent[] = [];
    handles.push(await consumers.consume('atlas-deadletters', (event) => void letters.push(event)));
    await eventually(() => letters.some((l) => l.stream_seq === beat.seq));
    expect(deliveries).toEqual([1, 2, 3]);
    expect(letters.find((l) => l.stream_seq === beat.seq)).toMatchObject({
      consumer: 'atlas-heartbeats',
      subject: 'heartbeat.ops-monitor',
      delivery_count: 3,
      reason:
        'heartbeat.ops-monitor: gave up after 3 deliveries (max_deliver 3); last failure with an unexpected error: always failing',
    });
  });

  it('stop() waits for the in-flight handler and its ack', async () => {
    await drain('atlas-ledger');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    const handle = await consumers.consume('atlas-ledger', async () => {
      started = true;
      await gate;
      finished = true;
    });
    const published = await publisher.publish('incident.detected', incident());
    await eventually(() => started);
    let stopped = false;
    const stopping = handle.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    await eventually(async () => {
      const info = await consumerInfo('atlas-ledger');
      return info.num_ack_pending === 0 && info.ack_floor.stream_seq >= published.seq;
    });
    await handle.done;
  });

  it('stops on an abort signal', async () => {
    const controller = new AbortController();
    const handle = await consumers.consume('atlas-ledger', () => undefined, {
      signal: controller.signal,
    });
    controller.abort();
    await handle.done;
    await handle.stop(); // idempotent
  });

  it('refuses to consume a consumer that was not provisioned', async () => {
    const jsm = await bus.jetstreamManager();
    await jsm.consumers.delete(bus.subjects.stream(), 'demo-controller-remediations');
    await expect(
      consumers.consume('demo-controller-remediations', () => undefined),
    ).rejects.toThrow(
      /consumer OPS_\w+\/demo-controller-remediations does not exist; provision the topology first/,
    );
  });
});

/** A full event object for hand-made raw publishes. */
function published(payload: EventPayloads['incident.detected']): Record<string, unknown> {
  return {
    schema: 1,
    id: `raw-${Math.random()}`,
    at: new Date().toISOString(),
    source: 'ops-monitor',
    ...payload,
  };
}
