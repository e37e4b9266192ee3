import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  type AnyEvent,
  buildEvent,
  type IncidentDetectedEvent,
  type IncidentResolvedEvent,
  SUBJECTS,
} from '@opscrew/contracts';
import { type EventHandler, type MessageMeta } from '../consumer-loop';
import { settle } from '../delivery-policy';
import { type EventConsumer } from '../event-consumer.service';
import { PermanentError, TransientError } from '../handler-errors';
import { type ConsumerName } from '../topology';
import { OnBusEvent } from './bus-event.decorator';
import { JetStreamContext } from './jetstream.context';
import { JetStreamServer } from './jetstream.server';

/** Stands in for EventConsumer: records which durables were started and their handlers. */
class FakeConsumer {
  readonly started = new Map<string, EventHandler<AnyEvent>>();
  readonly stopped: string[] = [];
  missing: string | null = null;

  consume(name: ConsumerName, handler: EventHandler<AnyEvent>) {
    if (name === this.missing)
      return Promise.reject(new Error(`bus: consumer ${name} does not exist`));
    this.started.set(name, handler);
    return Promise.resolve({
      name,
      done: Promise.resolve(),
      stop: () => {
        this.stopped.push(name);
        return Promise.resolve();
      },
    });
  }
}

const detected = buildEvent(
  SUBJECTS.incidentDetected,
  {
    incident_id: 'INC-20261206-001-ab12',
    fingerprint: 'cart:high_error_rate',
    service: 'cart',
    symptom: 'high_error_rate',
    severity: 'high',
    value: 0.31,
    threshold: 0.05,
    metric: 'error_rate_ratio',
    detected_at: new Date().toISOString(),
  },
  'ops-monitor',
);

function meta(subject: string, seq = 7): MessageMeta {
  return { subject, publisher: 'ops-monitor', seq, deliveryCount: 1, redelivered: false };
}

@Controller()
class IncidentsHandlers {
  readonly seen: { id: string; subject: string; seq: number; durable: string }[] = [];
  fail: Error | null = null;

  @OnBusEvent('jira-resolver-incidents')
  detected(@Payload() event: IncidentDetectedEvent, @Ctx() ctx: JetStreamContext): void {
    if (this.fail) throw this.fail;
    this.seen.push({
      id: event.incident_id,
      subject: ctx.getSubject(),
      seq: ctx.getSeq(),
      durable: ctx.getDurable(),
    });
  }

  @OnBusEvent('atlas-postmortems', SUBJECTS.incidentResolved)
  resolved(@Payload() event: IncidentResolvedEvent): Promise<void> {
    this.seen.push({ id: event.incident_id, subject: 'resolved', seq: 0, durable: '' });
    return Promise.resolve();
  }
}

@Controller()
class BareHandlers {
  @EventPattern(SUBJECTS.incidentDetected)
  detected(): void {}
}

async function start(
  controllers: (typeof IncidentsHandlers | typeof BareHandlers)[],
  consumer: FakeConsumer,
  durables?: ConsumerName[],
): Promise<{ app: INestApplication; server: JetStreamServer }> {
  const moduleRef = await Test.createTestingModule({ controllers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const server = new JetStreamServer(
    consumer as unknown as EventConsumer,
    durables === undefined ? {} : { durables },
  );
  app.connectMicroservice({ strategy: server });
  return { app, server };
}

describe('JetStreamServer', () => {
  let app: INestApplication | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('starts one consumer per handled durable and routes events with their context', async () => {
    const consumer = new FakeConsumer();
    const started = await start([IncidentsHandlers], consumer);
    app = started.app;
    await app.startAllMicroservices();
    expect([...consumer.started.keys()].sort()).toEqual([
      'atlas-postmortems',
      'jira-resolver-incidents',
    ]);
    await consumer.started.get('jira-resolver-incidents')?.(detected, meta('incident.detected'));
    const handlers = app.get(IncidentsHandlers);
    expect(handlers.seen).toEqual([
      {
        id: detected.incident_id,
        subject: 'incident.detected',
        seq: 7,
        durable: 'jira-resolver-incidents',
      },
    ]);
    // A subject without a handler on a per-subject durable: nothing runs, the loop acks it.
    await expect(
      consumer.started.get('atlas-postmortems')?.(detected, meta('incident.detected')),
    ).resolves.toBeUndefined();
    expect(handlers.seen).toHaveLength(1);
  });

  it("keeps a handler's error as thrown: PermanentError dead-letters, anything else naks", async () => {
    const consumer = new FakeConsumer();
    app = (await start([IncidentsHandlers], consumer)).app;
    await app.startAllMicroservices();
    const handlers = app.get(IncidentsHandlers);
    const handle = consumer.started.get('jira-resolver-incidents');
    const outcome = async () => {
      try {
        await handle?.(detected, meta('incident.detected'));
        return { ok: true as const };
      } catch (error: unknown) {
        return { ok: false as const, error };
      }
    };

    handlers.fail = new PermanentError('no such service');
    const permanent = await outcome();
    expect(permanent).toEqual({ ok: false, error: handlers.fail });
    expect(settle(permanent, 1, 10)).toMatchObject({ action: 'deadletter', kind: 'permanent' });

    handlers.fail = new TransientError('jira down', 250);
    const transient = await outcome();
    expect(transient.ok === false && transient.error).toBe(handlers.fail);
    expect(settle(transient, 1, 10)).toMatchObject({ action: 'nak', delay_ms: 250 });

    handlers.fail = new Error('bug');
    expect(settle(await outcome(), 2, 10)).toMatchObject({ action: 'nak' });
  });

  it('fails at start on a pattern that names no durable, naming the handler', async () => {
    const consumer = new FakeConsumer();
    app = (await start([BareHandlers], consumer)).app;
    await expect(app.startAllMicroservices()).rejects.toThrow(
      /"incident\.detected"\) names no bus consumer; use @OnBusEvent/,
    );
    expect(consumer.started.size).toBe(0);
  });

  it("fails at start on a durable outside the app's grants", async () => {
    const consumer = new FakeConsumer();
    app = (await start([IncidentsHandlers], consumer, ['jira-resolver-incidents'])).app;
    await expect(app.startAllMicroservices()).rejects.toThrow(
      /IncidentsHandlers\.resolved .*handles atlas-postmortems, which this app does not consume/,
    );
  });

  it('stops what it started when a consumer cannot start, and on close', async () => {
    const consumer = new FakeConsumer();
    consumer.missing = 'jira-resolver-incidents';
    const started = await start([IncidentsHandlers], consumer);
    app = started.app;
    await expect(app.startAllMicroservices()).rejects.toThrow(/does not exist/);
    expect(started.server.consuming).toEqual([]);

    const ok = new FakeConsumer();
    const again = await start([IncidentsHandlers], ok);
    await again.app.startAllMicroservices();
    expect([...again.server.consuming].sort()).toEqual([
      'atlas-postmortems',
      'jira-resolver-incidents',
    ]);
    await again.app.close();
    expect(ok.stopped.sort()).toEqual(['atlas-postmortems', 'jira-resolver-incidents']);
  });

  it('exposes the message meta through JetStreamContext', () => {
    const ctx = new JetStreamContext({ ...meta('incident.detected', 3), durable: 'atlas-ledger' });
    expect(ctx.getPublisher()).toBe('ops-monitor');
    expect(ctx.getDeliveryCount()).toBe(1);
    expect(ctx.getMeta().seq).toBe(3);
  });
});

/** Compile-time only: the decorator checks the payload type against the consumer's events. */
export class MistypedHandlers {
  // @ts-expect-error atlas-postmortems' incident.resolved handler cannot take an incident.detected
  @OnBusEvent('atlas-postmortems', SUBJECTS.incidentResolved)
  wrongSubject(@Payload() _event: IncidentDetectedEvent): void {}

  // @ts-expect-error jira-resolver-locks delivers lock.released only
  @OnBusEvent('jira-resolver-locks')
  wrongDurable(@Payload() _event: IncidentDetectedEvent): void {}
}
