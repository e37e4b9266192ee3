import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { type EventOf, type EventSubject } from '@opscrew/contracts';
import { type ConsumedEvent, type ConsumerName } from '../topology';
import { BusErrorPassthrough } from './bus-error.filter';
import { type JetStreamContext } from './jetstream.context';

/** Pattern prefix of the handlers JetStreamServer routes: `jetstream:<durable>[:<subject>]`. */
export const BUS_PATTERN_PREFIX = 'jetstream:';

/** The extras @OnBusEvent stores on each handler, read back by JetStreamServer. */
export interface BusHandlerExtras {
  readonly jetstream: true;
  /** `Controller.method`, for start-up errors. */
  readonly handler: string;
}

/** The event a handler of `durable` (optionally only `subject`) receives. */
export type BusEventOf<N extends ConsumerName, S extends EventSubject | undefined> = [S] extends [
  EventSubject,
]
  ? Extract<ConsumedEvent<N>, EventOf<S>>
  : ConsumedEvent<N>;

/** The signature an @OnBusEvent method must accept (it may take fewer arguments). */
export type BusHandlerMethod<E> = (event: E, ctx: JetStreamContext) => Promise<void> | void;

export function busPattern(durable: ConsumerName, subject?: EventSubject): string {
  return `${BUS_PATTERN_PREFIX}${durable}${subject === undefined ? '' : `:${subject}`}`;
}

/**
 * Marks a controller method as the handler of a declared durable consumer (topology.ts):
 * `@OnBusEvent('atlas-ledger')` receives every event the consumer delivers (its `ignores`
 * excepted); `@OnBusEvent('jira-resolver-incidents', SUBJECTS.incidentDetected)` only that
 * subject. The payload arrives validated as its contract class (`@Payload()`), the message's
 * publisher, seq and subject through `@Ctx() ctx: JetStreamContext`. A thrown PermanentError
 * dead-letters the message; anything else naks it with backoff (TransientError may set the delay).
 *
 * An @EventPattern with a `jetstream:` pattern and this decorator's error passthrough: the
 * method's type is checked against the consumer's events.
 */
export function OnBusEvent<N extends ConsumerName, S extends EventSubject | undefined = undefined>(
  durable: N,
  subject?: S,
) {
  return <T extends BusHandlerMethod<BusEventOf<N, S>>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const extras: BusHandlerExtras = {
      jetstream: true,
      handler: `${target.constructor.name}.${String(key)}`,
    };
    applyDecorators(
      EventPattern(busPattern(durable, subject), extras),
      UseFilters(BusErrorPassthrough),
    )(target, key, descriptor);
  };
}
