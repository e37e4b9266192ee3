import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { type AnyEvent } from '@opscrew/contracts';
import { lastValueFrom } from 'rxjs';
import { type ConsumerHandle, type MessageMeta } from '../consumer-loop';
import { type ConsumeOptions, type EventConsumer } from '../event-consumer.service';
import { type ConsumerName } from '../topology';
import { type DurableRoutes, planRoutes } from './bus-routes';
import { JetStreamContext } from './jetstream.context';

export interface JetStreamServerOptions {
  /**
   * The durables this process may pull (its BUS_GRANTS entry, verified at start): a handler of
   * another is refused at start. Undefined: every declared durable.
   */
  readonly durables?: readonly ConsumerName[];
  /** Per-durable overrides of the consumer settings (tests shorten the retry backoff). */
  readonly consume?: Partial<Record<ConsumerName, ConsumeOptions>>;
}

/** Transport id, so `@EventPattern(..., JETSTREAM_TRANSPORT)` could single this server out. */
export const JETSTREAM_TRANSPORT = Symbol('opscrew-jetstream');

/**
 * The bus as a Nest microservice transport: every @OnBusEvent handler of the app is routed to
 * its declared durable pull consumer, run by EventConsumer — the same loop the agents used by
 * hand: messages sorted on arrival (invalid, off-contract or from the wrong sender → dead letter
 * at once), valid ones handled in a bounded pool ordered per key, with in-progress pings; ack on
 * success, nak with backoff on any error, term + dead letter on PermanentError or the last
 * delivery. The handler gets the event already validated as its contract class.
 *
 * `listen` starts one consumer per durable that has a handler (none without one); `close` stops
 * them, waiting for the running handlers. Start it after the topology is verified (MessagingModule
 * does that before anything is built) and close it before the connection (Nest closes
 * microservices before `onApplicationShutdown`, where the bus drains).
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  private readonly handles: ConsumerHandle[] = [];

  constructor(
    private readonly consumer: EventConsumer,
    private readonly options: JetStreamServerOptions = {},
  ) {
    super();
  }

  /** The durables with a handler, as routed at the last `listen` (for tests and logs). */
  get consuming(): readonly string[] {
    return this.handles.map((handle) => handle.name);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    const handles = this.handles.splice(0);
    await Promise.all(handles.map((handle) => handle.stop()));
  }

  on(): never {
    throw new Error('bus transport: JetStreamServer emits no events; watch /health instead');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const routes = planRoutes(this.getHandlers(), this.options.durables);
    try {
      for (const route of routes) {
        const handle = await this.consumer.consume(
          route.durable,
          (event, meta) => this.dispatch(route, event as AnyEvent, meta),
          this.options.consume?.[route.durable] ?? {},
        );
        this.handles.push(handle);
      }
    } catch (error: unknown) {
      await this.close();
      throw error;
    }
    if (routes.length > 0) {
      this.logger.log(`consuming ${routes.map((route) => route.durable).join(', ')}`);
    }
  }

  /** Runs the route's handler; its rejection settles the message (see ConsumerLoop). */
  private async dispatch(
    route: DurableRoutes<MessageHandler>,
    event: AnyEvent,
    meta: MessageMeta,
  ): Promise<void> {
    const handler = route.bySubject.get(meta.subject) ?? route.all;
    // Subject handlers only: a subject without one is not this app's business (acked).
    if (handler === null) return;
    const ctx = new JetStreamContext({ ...meta, durable: route.durable });
    const result: unknown = await handler(event, ctx);
    try {
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error: unknown) {
      if (error instanceof Error) throw error;
      // Not our filter's pass-through (a global filter answered): keep its text, stay transient.
      throw new Error(`bus handler failed: ${describe(error)}`);
    }
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
