import { Logger } from '@nestjs/common';
import { type EventPayloads } from '@opscrew/contracts';
import { jestTimeout } from '@opscrew/testing';
import { type ConsumerHandle } from './consumer-loop';
import { EventConsumer } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { eventually, openTestBus, removeTestTopology } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(120_000));

/**
 * The property behind `npm run bench` (bench/poison.bench.ts, where the figure lives): a burst
 * of invalid messages ahead of a valid incident does not hold the incident back behind them.
 * Bounds are generous on purpose (a loaded CI machine); the ordering assertion is the real one:
 * the valid incident reaches its handler although it was stored behind every bad message.
 */
describe('poison does not delay the real thing (real NATS, real consumer loop)', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace));
  });

  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.stop()));
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('a valid incident behind 10,000 invalid ones reaches jira-resolver within seconds, and the flood leaves a handful of records', async () => {
    const burst = 10_000;
    const nc = bus.connection();
    // On ops-monitor's own subject: a flood of malformed events from a user allowed to send them.
    const wire = bus.subjects.toPublishWire('incident.detected', 'ops-monitor');
    const encoder = new TextEncoder();
    for (let i = 0; i < burst; i++) {
      nc.publish(
        wire,
        encoder.encode(
          JSON.stringify({
            schema: 1,
            id: `p${i}`,
            source: 'ops-monitor',
            severity: 'apocalyptic',
          }),
        ),
      );
      if (i % 500 === 499) await nc.flush();
    }
    await nc.flush();
    const jsm = await bus.jetstreamManager();
    await eventually(
      async () => (await jsm.streams.info(bus.subjects.stream())).state.messages >= burst,
      30_000,
    );
    const incident: EventPayloads['incident.detected'] = {
      incident_id: 'INC-20250131-001',
      fingerprint: 'shipping:high_latency',
      service: 'shipping',
      symptom: 'high_latency',
      severity: 'high',
      value: 2400,
      detected_at: new Date().toISOString(),
    };
    const valid = await new EventPublisher(bus, 'ops-monitor').publish(
      'incident.detected',
      incident,
    );
    expect(valid.seq).toBe(burst + 1); // stored behind every bad message

    const calls: string[] = [];
    const consumers = new EventConsumer(bus, new EventPublisher(bus, 'jira-resolver'));
    const started = Date.now();
    handles.push(
      await consumers.consume('jira-resolver-incidents', (event) => void calls.push(event.id)),
    );
    await eventually(() => calls.length > 0, 30_000, 5);
    const waitedMs = Date.now() - started;
    expect(calls).toEqual([valid.event.id]); // no handler call for any bad message
    // Generous: the bench measures the real figure (target < 1 s); 86 s was the old behaviour.
    expect(waitedMs).toBeLessThan(30_000);

    await eventually(async () => {
      const info = await jsm.consumers.info(bus.subjects.stream(), 'jira-resolver-incidents');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 30_000);
    await Promise.all(handles.splice(0).map((handle) => handle.stop()));
    const deadLetters = await jsm.streams.info(bus.subjects.deadLetterStream());
    // Five full records and a summary or two, not 10,000.
    expect(deadLetters.state.messages).toBeGreaterThanOrEqual(6);
    expect(deadLetters.state.messages).toBeLessThan(20);
    const inEvents = await jsm.streams.info(bus.subjects.stream(), {
      subjects_filter: bus.subjects.toWire('deadletter.>'),
    });
    expect(inEvents.state.subjects ?? {}).toEqual({});
  });
});
