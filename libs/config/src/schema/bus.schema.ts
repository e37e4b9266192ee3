import { Int, Ms, Nested, OneOf, Seconds, Str, StrList } from './validators';

export class ReconnectConfig {
  /** First retry soon: most disconnects are a server restart that takes a second. */
  @Ms({ optional: true }) initial_delay_ms: number = 250;
  /** Capped so a long outage still retries often enough to recover within seconds. */
  @Ms({ optional: true }) max_delay_ms: number = 10_000;
}

/**
 * One process's own NATS user (deploy/nats/nats.conf gives each agent and the CLI
 * its own, with least-privilege subject permissions). The password is normally
 * `${NATS_PASSWORD_<AGENT>}`, never written in a file.
 */
export class BusAuthConfig {
  @Str({ pattern: /^[A-Za-z0-9_-]+$/, hint: 'must be letters, digits, "-" or "_"' })
  user!: string;
  @Str() password!: string;
}

/**
 * How a process meets the bus topology (streams, durables, buckets) at start. `verify`: it
 * only checks they exist — an admin step (`opscrew bus provision`, with the admin user) made
 * them, and agents hold no right to change them. `create`: it makes them itself (an open test
 * bus, or `opscrew bus provision`).
 */
export const BUS_PROVISION_MODES = ['verify', 'create'] as const;
export type BusProvisionMode = (typeof BUS_PROVISION_MODES)[number];

/** One nats:// URL; an entry may hold several separated by commas (`NATS_URL` of a cluster). */
const SERVER_URLS = /^(nats|tls|ws|wss):\/\/[^\s,]+(,\s*(nats|tls|ws|wss):\/\/[^\s,]+)*$/;

/** The most copies a stream or bucket may keep: NATS's own ceiling for a replicated stream. */
export const MAX_BUS_REPLICAS = 5;

export class BusConfig {
  /**
   * Every node of the bus; the client connects to one and fails over to the others. An entry
   * may list several URLs separated by commas, so one `${NATS_URL}` can name a whole cluster.
   */
  @StrList({
    pattern: SERVER_URLS,
    hint: 'must be a nats:// URL, or several separated by commas',
    minSize: 1,
  })
  servers!: string[];
  @Str({ optional: true, pattern: /^[A-Za-z0-9_-]+$/, hint: 'must be letters, digits, "-" or "_"' })
  stream: string = 'OPS';
  /** Prefix for subjects, the stream and buckets; lets several crews (or test runs) share one server. */
  @Str({
    optional: true,
    pattern: /^[a-z0-9][a-z0-9_-]*$/,
    hint: 'must be lowercase letters, digits, "-" or "_"',
  })
  namespace?: string;
  @Str({ optional: true }) user?: string;
  @Str({ optional: true }) password?: string;
  @Str({ optional: true }) token?: string;
  /** JetStream drops a re-published event with the same Nats-Msg-Id within this window. */
  @Seconds({ optional: true }) duplicate_window_s: number = 120;
  /** How long an unacknowledged message waits before redelivery. */
  @Seconds({ optional: true }) ack_wait_s: number = 30;
  /** After this many deliveries an event is dead-lettered instead of retried forever. */
  @Int({ optional: true, min: 1, max: 1000 }) max_deliver: number = 10;
  @Nested(() => ReconnectConfig, { optional: true }) reconnect: ReconnectConfig =
    new ReconnectConfig();
  /** `verify` (shipped): agents check the topology `opscrew bus provision` made; `create`: they make it. */
  @OneOf(BUS_PROVISION_MODES, { optional: true }) provision: BusProvisionMode = 'verify';
  /** In `verify` mode, how long an agent waits for a missing topology before it gives up. */
  @Seconds({ optional: true, max: 3600 }) topology_wait_s: number = 60;
  /**
   * Copies of every stream and KV bucket the provisioning makes (num_replicas). 1: one server.
   * On a JetStream cluster 3 keeps everything through the loss of one node; it must not exceed
   * the cluster's node count (the server refuses the stream), and an odd count is what NATS
   * advises (a majority of the copies must be up to write).
   */
  @Int({ optional: true, min: 1, max: MAX_BUS_REPLICAS }) replicas: number = 1;
}

export class HttpConfig {
  /** Loopback by default: the REST endpoints are for operators on the host, not the internet. */
  @Str({ optional: true }) host: string = '127.0.0.1';
  /**
   * Bearer token the mutating endpoints (POST /scenarios/…) require, compared in
   * constant time. Absent: those endpoints refuse every call (fail closed).
   * At least 16 characters so it cannot be guessed in the lifetime of a demo.
   */
  @Str({
    optional: true,
    pattern: /^\S{16,}$/,
    hint: 'must be at least 16 characters without spaces (e.g. `openssl rand -hex 24`)',
  })
  api_token?: string;
}
