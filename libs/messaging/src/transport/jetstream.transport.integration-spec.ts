import { Controller, type INestApplication, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  type DeadLetterEvent,
  type EventPayloads,
  type IncidentDetectedEvent,
  SUBJECTS,
} from '@opscrew/contracts';
import { lastValueFrom } from 'rxjs';
import { jestTimeout } from '@opscrew/testing';
import { EventConsumer } from '../event-consumer.service';
import { EventPublisher } from '../event-publisher.service';
import { PermanentError, TransientError } from '../handler-errors';
import { type NatsConnectionService } from '../nats-connection.service';
import { startBusApp } from '../testing/bus-app';
import { eventually, openTestBus, removeTestTopology } from '../testing/integration-bus';
import { testNamespace } from '../testing/test-namespace';
import { OnBusEvent } from './bus-event.decorator';
import { JetStreamClient } from './jetstream.client';
import { type JetStreamContext } from './jetstream.context';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

/** What the handler does with an incident, by its service. */
type Behaviour = 'ok' | 'permanent' | 'transient-once' | 'slow';

@Controller()
class Handlers {
  readonly calls: { id: string; delivery: number; publisher: string | null }[] = [];
  readonly letters: DeadLetterEvent[] = [];
  finished: string[] = [];
  release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  @OnBusEvent('jira-resolver-incidents', SUBJECTS.incidentDetected)
  async incident(
    @Payload() event: IncidentDetectedEvent,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    this.calls.push({
      id: event.incident_id,
      delivery: ctx.getDeliveryCount(),
      publisher: ctx.getPublisher(),
    });
    const behaviour = event.service as Behaviour;
    if (behaviour === 'permanent') throw new PermanentError('no runbook matches');
    if (behaviour === 'transient-once' && ctx.getDeliveryCount() === 1) {
      throw new TransientError('jira is down', 50);
    }
    if (behaviour === 'slow') await this.gate;
    this.finished.push(event.incident_id);
  }

  @OnBusEvent('atlas-deadletters')
  deadLetter(@Payload() letter: DeadLetterEvent): void {
    this.letters.push(letter);
  }
}

function incident(id: string, service: Behaviour): EventPayloads['incident.detected'] {
  return {
    incident_id: id,
    fingerprint: `${service}:high_latency`,
    service,
    symptom: 'high_latency',
    severity: 'high',
    value: 2400,
    detected_at: new Date().toISOString(),
  };
}

/**
 * The JetStream transport on the real bus: a Nest app whose controller has @OnBusEvent handlers
 * receives each published event once, validated and with its context; a PermanentError
 * dead-letters at once, a TransientError redelivers; close() waits for a running handler.
 */
describe('JetStream transport (real NATS)', () => {
  let bus: NatsConnectionService;
  let app: INestApplication;
  let handlers: Handlers;
  let client: JetStreamClient;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'transport-test'));
    client = new JetStreamClient(new EventPublisher(bus, 'ops-monitor'));
    handlers = new Handlers();
    app = await startBusApp({
      consumer: new EventConsumer(bus, new EventPublisher(bus, 'jira-resolver')),
      controllers: [Handlers],
      providers: [],
      consume: {
        'jira-resolver-incidents': { retry: { initial_delay_ms: 50, max_delay_ms: 100 } },
      },
    });
    handlers = app.get(Handlers);
  });

  afterAll(async () => {
    handlers.release();
    await app.close();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('delivers an emitted event once to its handler, with publisher and delivery count', async () => {
    const sent = await lastValueFrom(
      client.emitEvent(SUBJECTS.incidentDetected, incident('INC-20261206-001', 'ok')),
    );
    expect(sent.duplicate).toBe(false);
    await eventually(() => handlers.finished.includes('INC-20261206-001'));
    // Give a wrongful redelivery a chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(handlers.calls.filter((c) => c.id === 'INC-20261206-001')).toEqual([
      { id: 'INC-20261206-001', delivery: 1, publisher: 'ops-monitor' },
    ]);
  });

  it('dead-letters a PermanentError at once', async () => {
    const sent = await lastValueFrom(
      client.emitEvent(SUBJECTS.incidentDetected, incident('INC-20261206-002', 'permanent')),
    );
    await eventually(() => handlers.letters.some((l) => l.stream_seq === sent.seq));
    expect(handlers.letters.find((l) => l.stream_seq === sent.seq)).toMatchObject({
      consumer: 'jira-resolver-incidents',
      reason: 'incident.detected: handler failed permanently: no runbook matches',
    });
    expect(handlers.calls.filter((c) => c.id === 'INC-20261206-002')).toHaveLength(1);
  });

  it('redelivers after a TransientError', async () => {
    await lastValueFrom(
      client.emitEvent(SUBJECTS.incidentDetected, incident('INC-20261206-003', 'transient-once')),
    );
    await eventually(() => handlers.finished.includes('INC-20261206-003'));
    expect(
      handlers.calls.filter((c) => c.id === 'INC-20261206-003').map((c) => c.delivery),
    ).toEqual([1, 2]);
  });

  it('refuses request-response and an off-contract emit', async () => {
    await expect(lastValueFrom(client.send(SUBJECTS.incidentDetected, {}))).rejects.toThrow(
      /request-response/,
    );
    await expect(
      lastValueFrom(client.emit(SUBJECTS.incidentDetected, { incident_id: 'nope' })),
    ).rejects.toThrow();
    await expect(lastValueFrom(client.emit('not.a.subject', {}))).rejects.toThrow(
      /not an event subject/,
    );
  });

  it('close() waits for the running handler, which then acks', async () => {
    await lastValueFrom(
      client.emitEvent(SUBJECTS.incidentDetected, incident('INC-20261206-004', 'slow')),
    );
    await eventually(() => handlers.calls.some((c) => c.id === 'INC-20261206-004'));
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false);
    handlers.release();
    await closing;
    expect(handlers.finished).toContain('INC-20261206-004');
    const jsm = await bus.jetstreamManager();
    const info = await jsm.consumers.info(bus.subjects.stream(), 'jira-resolver-incidents');
    expect(info.num_ack_pending).toBe(0);
  });
});
