import { Logger } from '@nestjs/common';
import { IncidentUpdatedEvent } from '@opscrew/contracts';
import { jestTimeout } from '@opscrew/testing';
import { EventConsumer } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { type BusStatus, NatsConnectionService } from './nats-connection.service';
import { eventually, removeTestTopology, testBusOptions } from './testing/integration-bus';
import { TcpProxy } from './testing/tcp-proxy';
import { testNamespace } from './testing/test-namespace';
import { provisionAll } from './topology.provisioner';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

const target = new URL(NATS_URL.replace(/^nats:/, 'http:'));

describe('NatsConnectionService against a real server', () => {
  beforeAll(() => {
    Logger.overrideLogger(['error']);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('connects, reports its status, and closes idempotently by draining', async () => {
    const bus = new NatsConnectionService(testBusOptions(NATS_URL, testNamespace()));
    expect(bus.status()).toBe('disconnected');
    expect(() => bus.connection()).toThrow(/not connected/);
    const seen: BusStatus[] = [];
    bus.onStatus((s) => seen.push(s));
    const nc = await bus.connect();
    expect(await bus.connect()).toBe(nc); // one connection per service
    expect(bus.status()).toBe('connected');
    expect(bus.connection()).toBe(nc);
    expect(bus.jetstream()).toBe(bus.jetstream());
    expect(await bus.jetstreamManager()).toBe(await bus.jetstreamManager());

    await Promise.all([bus.close(), bus.close()]);
    await bus.onApplicationShutdown();
    expect(bus.status()).toBe('closed');
    expect(nc.isClosed()).toBe(true);
    expect(seen).toEqual(['connecting', 'connected', 'closed']);
    expect(() => bus.connection()).toThrow(/not connected \(status closed\)/);
    await expect(bus.connect()).rejects.toThrow(/closed/);
  });

  it('fails fast when told not to wait for the first connect', async () => {
    const proxy = new TcpProxy(target.hostname, Number(target.port || 4222));
    const port = await proxy.start();
    proxy.cut(true);
    const bus = new NatsConnectionService(
      testBusOptions(`nats://127.0.0.1:${port}`, testNamespace()),
    );
    await expect(bus.connect()).rejects.toThrow();
    expect(bus.status()).toBe('disconnected');
    await bus.close();
    expect(bus.status()).toBe('closed');
    await proxy.stop();
  });

  it('waits for the server on first connect when asked to (services started before NATS)', async () => {
    const proxy = new TcpProxy(target.hostname, Number(target.port || 4222));
    const port = await proxy.start();
    proxy.cut(true);
    const bus = new NatsConnectionService({
      ...testBusOptions(`nats://127.0.0.1:${port}`, testNamespace()),
      wait_on_first_connect: true,
    });
    const connecting = bus.connect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bus.status()).toBe('connecting');
    proxy.accept();
    await connecting;
    expect(bus.status()).toBe('connected');
    await bus.close();
    await proxy.stop();
  });

  it('reconnects after the link drops, and a running consumer keeps consuming', async () => {
    const proxy = new TcpProxy(target.hostname, Number(target.port || 4222));
    const port = await proxy.start();
    const bus = new NatsConnectionService(
      testBusOptions(`nats://127.0.0.1:${port}`, testNamespace(), 'reconnect-test'),
    );
    const seen: BusStatus[] = [];
    bus.onStatus((s) => seen.push(s));
    await bus.connect();
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: 120_000,
    });
    const publisher = new EventPublisher(bus, 'atlas');
    const consumers = new EventConsumer(bus, publisher);
    const received: IncidentUpdatedEvent[] = [];
    const handle = await consumers.consume('atlas-ledger', (event) => {
      // Events arrive as class instances: instanceof narrows the union.
      if (event instanceof IncidentUpdatedEvent) received.push(event);
    });
    const update = (note: string) =>
      publisher.publish('incident.updated', {
        incident_id: 'INC-20250131-001',
        fingerprint: 'checkout:high_error_rate',
        phase: 'triaged',
        note,
      });
    await update('before');
    await eventually(() => received.length === 1);
    expect(bus.lastOutage()).toBeNull();

    const cutAt = Date.now();
    proxy.cut(true);
    await eventually(() => bus.status() === 'reconnecting' || bus.status() === 'disconnected');
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.accept();
    await eventually(() => bus.status() === 'connected', 15_000);
    expect(seen).toEqual(expect.arrayContaining(['disconnected', 'reconnecting', 'connected']));
    // The outage liveness judges ages from: down at the drop, back at the reconnect.
    const outage = bus.lastOutage();
    expect(outage?.down.getTime()).toBeGreaterThanOrEqual(cutAt);
    expect(outage?.back.getTime()).toBeGreaterThan(outage?.down.getTime() ?? Infinity);

    await update('after');
    await eventually(() => received.some((e) => e.note === 'after'), 30_000);

    await handle.stop();
    await removeTestTopology(bus);
    await bus.close();
    await proxy.stop();
  });
});
