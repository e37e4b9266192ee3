import { type INestApplication, type Provider, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type EventConsumer } from '../event-consumer.service';
import { JetStreamServer, type JetStreamServerOptions } from '../transport/jetstream.server';

export interface BusAppOptions extends JetStreamServerOptions {
  /** Runs the durables (built on the test's bus). */
  readonly consumer: EventConsumer;
  /** Controllers with @OnBusEvent handlers. */
  readonly controllers: Type[];
  /** What the controllers inject (usually the use-case services, built by the test). */
  readonly providers?: Provider[];
}

/**
 * A minimal hybrid Nest app for an integration test: the given controllers on the JetStream
 * transport, started as runAgent starts an agent's (init, then the microservice). `app.close()`
 * stops the consumers, draining the running handlers; the test closes its bus afterwards.
 */
export async function startBusApp(options: BusAppOptions): Promise<INestApplication> {
  const { consumer, controllers, providers = [], ...serverOptions } = options;
  const moduleRef = await Test.createTestingModule({ controllers, providers }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  app.connectMicroservice({ strategy: new JetStreamServer(consumer, serverOptions) });
  await app.startAllMicroservices();
  return app;
}
