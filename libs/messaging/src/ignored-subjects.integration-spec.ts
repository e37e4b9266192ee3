import { Logger } from '@nestjs/common';
import { type AnyEvent, subjectMatches, SUBJECTS } from '@opscrew/contracts';
import { headers, StringCodec } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { EventConsumer } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { eventually, openTestBus, removeTestTopology } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { CONSUMER_NAMES, CONSUMERS, type ConsumerName } from './topology';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

/**
 * `incident.reported` travels in the `incident.>` family, so every lifecycle consumer on
 * that family receives it from the server. Each must ack it unread — its handler never
 * called, no dead letter even for a malformed report — and go on with the lifecycle events.
 */
describe('consumers of incident.> ignore incident.reported (real JetStream)', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let consumers: EventConsumer;
  /** Every consumer the server delivers reports to, except the one that reads them. */
  const lifecycle = CONSUMER_NAMES.filter(
    (name) =>
      name !== 'ops-monitor-reports' &&
      subjectMatches(CONSUMERS[name].filter, SUBJECTS.incidentReported),
  );

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'ignored-subjects-test'));
    consumers = new EventConsumer(bus, new EventPublisher(bus, 'atlas'));
  });

  afterAll(async () => {
    await consumers.stopAll();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('acks valid and malformed reports unread on atlas-ledger, atlas-postmortems, demo-controller-incidents, and handles what follows', async () => {
    expect(lifecycle).toEqual(
      expect.arrayContaining(['atlas-ledger', 'atlas-postmortems', 'demo-controller-incidents']),
    );
    const seen = new Map<ConsumerName, AnyEvent[]>(lifecycle.map((name) => [name, []]));
    for (const name of lifecycle)
      await consumers.consume(name, (event) => void seen.get(name)?.push(event));

    const outside = new EventPublisher(bus, 'external');
    await outside.publish(SUBJECTS.incidentReported, {
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.3,
      reporter: 'billing-probe',
      dedup_key: 'probe-1',
    });
    // A plain NATS client's broken report: not even JSON.
    const h = headers();
    h.set('Nats-Msg-Id', 'broken-report-1');
    await bus
      .jetstream()
      .publish(bus.subjects.toWire(SUBJECTS.incidentReported), StringCodec().encode('{ nope'), {
        headers: h,
      });
    // Then a lifecycle event: every consumer must still get it.
    const marker = await new EventPublisher(bus, 'ops-monitor').publish(SUBJECTS.incidentDetected, {
      incident_id: 'INC-20261206-001',
      fingerprint: 'cart:high_error_rate',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
      value: 0.3,
      detected_at: new Date().toISOString(),
    });

    await eventually(() =>
      lifecycle.every((name) => seen.get(name)?.some((event) => event.id === marker.event.id)),
    );
    const jsm = await bus.jetstreamManager();
    for (const name of lifecycle) {
      expect({ name, seen: seen.get(name)?.map((event) => event.id) }).toEqual({
        name,
        seen: [marker.event.id],
      });
      await eventually(async () => {
        const info = await jsm.consumers.info(bus.subjects.stream(), name);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    }
    const deadLetters = bus.subjects.toWire('deadletter.>');
    const info = await jsm.streams.info(bus.subjects.deadLetterStream(), {
      subjects_filter: deadLetters,
    });
    expect(info.state.subjects ?? {}).toEqual({});
  });
});
