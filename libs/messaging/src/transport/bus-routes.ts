import { type EventSubject, isEventSubject, subjectMatches } from '@opscrew/contracts';
import {
  CONSUMER_NAMES,
  consumerDeclaration,
  type ConsumerName,
  isConsumerName,
} from '../topology';
import { BUS_PATTERN_PREFIX } from './bus-event.decorator';

/** What JetStreamServer needs of a Nest message handler (MessageHandler, narrowed). */
export interface RoutableHandler {
  readonly isEventHandler?: boolean;
  readonly extras?: Record<string, unknown>;
  readonly next?: unknown;
}

/** The handlers of one durable: either one for every event, or one per subject. */
export interface DurableRoutes<H> {
  readonly durable: ConsumerName;
  /** Receives every event the consumer delivers (`@OnBusEvent(durable)`). */
  readonly all: H | null;
  /** Receives only its subject (`@OnBusEvent(durable, subject)`); other subjects are acked. */
  readonly bySubject: ReadonlyMap<string, H>;
}

/** A handler the transport cannot route: refused at start, naming the handler and pattern. */
export class BusRouteError extends Error {
  override readonly name = 'BusRouteError';
}

/**
 * Maps the registered handlers (pattern → handler) to the durables they consume. Fails at
 * start, never at the first message: a pattern that names no declared durable, a durable this
 * app does not pull (`allowed`, its BUS_GRANTS), a subject the durable never delivers, a
 * request-response handler, or two handlers for one delivery.
 */
export function planRoutes<H extends RoutableHandler>(
  handlers: ReadonlyMap<string, H>,
  allowed?: readonly ConsumerName[],
): DurableRoutes<H>[] {
  const plans = new Map<ConsumerName, { all: H | null; bySubject: Map<string, H> }>();
  for (const [pattern, handler] of handlers) {
    const name = handlerName(handler);
    const where = `${name} (pattern ${JSON.stringify(pattern)})`;
    if (handler.isEventHandler !== true) {
      throw new BusRouteError(
        `bus transport: ${where} is a @MessagePattern; JetStream delivers events only (use @OnBusEvent)`,
      );
    }
    const { durable, subject } = parsePattern(pattern, where);
    if (handler.extras?.['jetstream'] !== true) {
      throw new BusRouteError(
        `bus transport: ${where} is not declared with @OnBusEvent(<durable>[, <subject>]); ` +
          `a bare @EventPattern would lose PermanentError to Nest's default exception filter`,
      );
    }
    if (handler.next !== undefined) {
      throw new BusRouteError(
        `bus transport: ${where} has more than one handler; one delivery is settled by one handler`,
      );
    }
    if (allowed !== undefined && !allowed.includes(durable)) {
      throw new BusRouteError(
        `bus transport: ${where} handles ${durable}, which this app does not consume ` +
          `(its durables: ${allowed.join(', ') || 'none'})`,
      );
    }
    const plan = plans.get(durable) ?? { all: null, bySubject: new Map<string, H>() };
    plans.set(durable, plan);
    if (subject === undefined) {
      if (plan.all !== null || plan.bySubject.size > 0) {
        throw new BusRouteError(
          `bus transport: ${where}: ${durable} already has a handler; give it one for all its events ` +
            `or one per subject, not both`,
        );
      }
      plan.all = handler;
    } else {
      if (plan.all !== null) {
        throw new BusRouteError(
          `bus transport: ${where}: ${durable} already has a handler for all its events`,
        );
      }
      plan.bySubject.set(subject, handler);
    }
  }
  return [...plans].map(([durable, plan]) => ({ durable, ...plan }));
}

function parsePattern(
  pattern: string,
  where: string,
): { durable: ConsumerName; subject?: EventSubject } {
  if (!pattern.startsWith(BUS_PATTERN_PREFIX)) {
    throw new BusRouteError(
      `bus transport: ${where} names no bus consumer; use @OnBusEvent(<durable>[, <subject>]) ` +
        `(declared: ${CONSUMER_NAMES.join(', ')})`,
    );
  }
  const [durable = '', subject, ...rest] = pattern.slice(BUS_PATTERN_PREFIX.length).split(':');
  if (!isConsumerName(durable) || rest.length > 0) {
    throw new BusRouteError(
      `bus transport: ${where}: unknown consumer "${durable}" (declared: ${CONSUMER_NAMES.join(', ')})`,
    );
  }
  if (subject === undefined) return { durable };
  const declaration = consumerDeclaration(durable);
  if (!isEventSubject(subject) || subject.includes('>') || subject.includes('*')) {
    throw new BusRouteError(`bus transport: ${where}: "${subject}" is not an event subject`);
  }
  if (!subjectMatches(declaration.filter, subject)) {
    throw new BusRouteError(
      `bus transport: ${where}: ${durable} (filter ${declaration.filter}) never delivers ${subject}`,
    );
  }
  if (declaration.ignores?.some((ignored) => subjectMatches(ignored, subject))) {
    throw new BusRouteError(
      `bus transport: ${where}: ${durable} acks ${subject} unread (topology ignores); no handler sees it`,
    );
  }
  return { durable, subject };
}

function handlerName(handler: RoutableHandler): string {
  const name = handler.extras?.['handler'];
  return typeof name === 'string' ? name : 'a handler';
}
