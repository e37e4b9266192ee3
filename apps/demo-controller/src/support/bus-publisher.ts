import { type EventPublisher } from '@opscrew/messaging';

/** The part of EventPublisher demo-controller uses (a fake in unit tests). */
export type BusPublisher = Pick<EventPublisher, 'publish'>;
