import { type EventSource } from '@opscrew/contracts';
import { type BusOptions } from './bus-options';

export interface MessagingModuleOptions {
  bus: BusOptions;
  /** This process's identity on the bus: the `source` of every event it publishes. */
  source: EventSource;
  /** Provision stream, consumers and buckets at startup (default true; idempotent). */
  provision?: boolean;
}
