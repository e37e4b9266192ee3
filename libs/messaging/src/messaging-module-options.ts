import { type EventSource } from '@opscrew/contracts';
import { type BusOptions } from './bus-options';
import { type BusUser } from './bus-user';
import { type ConsumerMetrics } from './consumer-metrics';
import { type ConsumerName } from './topology';

export interface MessagingModuleOptions {
  bus: BusOptions;
  /** This process's identity on the bus: the `source` of every event it publishes. */
  source: EventSource;
  /**
   * How it meets the topology at startup. `verify` (default): waits until the streams, its
   * durables and the buckets exist — `opscrew bus provision` makes them, with the admin user —
   * and fails after `topology_wait_ms` with what is missing. `create`: provisions them itself
   * (idempotent; an open test bus). `false`: neither.
   */
  provision?: 'verify' | 'create' | false;
  /** The durables it pulls, verified in `verify` mode (its BUS_GRANTS entry); default none. */
  durables?: readonly ConsumerName[];
  /** `verify` mode: how long to wait for a missing topology (default 60 s). */
  topology_wait_ms?: number;
  /**
   * The NATS user it publishes as, named in every subject it publishes on (publisher-subject.ts);
   * default: the one `source` stands for (an agent, `cli`).
   */
  publisher?: BusUser;
  /** Where the consumers count dead letters (an agent's `/metrics`); default: nowhere. */
  metrics?: ConsumerMetrics;
}
