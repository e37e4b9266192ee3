import { errorMessage } from '@opscrew/contracts';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  connect,
  type ConnectionOptions,
  DebugEvents,
  Events,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { type BusOptions, resolveBusOptions, type ResolvedBusOptions } from './bus-options';
import { clusteredCasRisk } from './clustered-cas';
import { ReconnectDelay } from './reconnect-delay';
import { SubjectMapper } from './subject-mapper';

export type BusStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The last time this process lost the bus and got it back (liveness judges ages from `back`). */
export interface BusOutage {
  readonly down: Date;
  readonly back: Date;
  /**
   * How much later than this connection another client of the same bus may get back: the cap of
   * the reconnect backoff, which every crew process shares (bus.reconnect). A peer that was
   * asleep in its longest backoff when the server returned reconnects up to this long after us.
   */
  readonly settle_ms: number;
}

/**
 * Server pings every 20 s and three missed pongs mark the link stale: a dead
 * server is noticed within about a minute instead of the client default ~6 min.
 */
const PING_INTERVAL_MS = 20_000;
const MAX_PINGS_OUT = 3;

/** JetStream API calls (publish acks, KV ops) give up after 5 s: the client default, kept explicit. */
const JETSTREAM_TIMEOUT_MS = 5_000;

/**
 * Owns the one NATS connection of a process. Usable through Nest DI (see
 * MessagingModule) or with plain `new` in a CLI or a test.
 */
export class NatsConnectionService implements OnApplicationShutdown {
  readonly options: ResolvedBusOptions;
  readonly subjects: SubjectMapper;
  private readonly logger = new Logger(NatsConnectionService.name);
  private readonly reconnectDelay: ReconnectDelay;
  private state: BusStatus = 'disconnected';
  private nc: NatsConnection | null = null;
  private connecting: Promise<NatsConnection> | null = null;
  private closing: Promise<void> | null = null;
  private js: JetStreamClient | null = null;
  private jsm: Promise<JetStreamManager> | null = null;
  private readonly listeners = new Set<(status: BusStatus) => void>();
  private downSince: Date | null = null;
  private outage: BusOutage | null = null;

  constructor(options: BusOptions) {
    this.options = resolveBusOptions(options);
    this.subjects = new SubjectMapper(this.options.namespace, this.options.stream);
    this.reconnectDelay = new ReconnectDelay(this.options.reconnect);
  }

  /** Connects once; later calls return the same connection. */
  connect(): Promise<NatsConnection> {
    if (this.closing !== null) {
      return Promise.reject(new Error('bus: connection service is closed'));
    }
    this.connecting ??= this.open();
    return this.connecting;
  }

  status(): BusStatus {
    return this.state;
  }

  /**
   * The last outage of this connection that ended (down at the first disconnect, back at the
   * reconnect), or null when it never dropped: while our own link was down nobody's heartbeat
   * could reach us, so liveness counts ages from `back` rather than blaming every agent.
   */
  lastOutage(): BusOutage | null {
    return this.outage;
  }

  /** Called on every status transition (the health indicator listens here). */
  onStatus(listener: (status: BusStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The live connection; throws before `connect()` resolved or after `close()`. */
  connection(): NatsConnection {
    if (this.nc === null || this.state === 'closed') {
      throw new Error(`bus: not connected (status ${this.state}); await connect() first`);
    }
    return this.nc;
  }

  jetstream(): JetStreamClient {
    this.js ??= this.connection().jetstream({ timeout: JETSTREAM_TIMEOUT_MS });
    return this.js;
  }

  jetstreamManager(): Promise<JetStreamManager> {
    if (this.jsm === null) {
      const pending = this.connection().jetstreamManager({ timeout: JETSTREAM_TIMEOUT_MS });
      // A failed lookup (JetStream not enabled yet) must not be cached forever.
      void pending.catch(() => {
        this.jsm = null;
      });
      this.jsm = pending;
    }
    return this.jsm;
  }

  /** Drains (pending publishes and acks are flushed) and closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async open(): Promise<NatsConnection> {
    this.transition('connecting', `connecting to ${this.options.servers.join(', ')}`);
    const options: ConnectionOptions = {
      servers: this.options.servers,
      name: this.options.name,
      user: this.options.user,
      pass: this.options.pass,
      token: this.options.token,
      // Agents outlive any NATS outage: never give up reconnecting.
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => this.reconnectDelay.next(),
      waitOnFirstConnect: this.options.wait_on_first_connect,
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: MAX_PINGS_OUT,
      // Every request and publish would otherwise capture a stack (an Error and a timeout
      // NatsError each): an eighth of the CPU of a storm through the ledger. Our errors name
      // the bucket, key or subject themselves.
      noAsyncTraces: true,
    };
    let nc: NatsConnection;
    try {
      nc = await connect(options);
    } catch (err: unknown) {
      this.connecting = null;
      this.transition('disconnected', `connect failed: ${errorMessage(err)}`);
      throw err;
    }
    this.nc = nc;
    this.reconnectDelay.reset();
    this.transition('connected', `connected to ${nc.getServer()}`);
    // Said at every start of every process of a cluster that cannot keep the crew's promises.
    const risk = clusteredCasRisk(nc.info?.version, this.options.replicas);
    if (risk !== null) this.logger.error(risk);
    void this.watchStatus(nc);
    nc.closed()
      .then((err) => {
        this.transition('closed', err ? `closed with error: ${errorMessage(err)}` : 'closed');
      })
      .catch(() => undefined);
    return nc;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    try {
      for await (const s of nc.status()) {
        switch (s.type) {
          case Events.Disconnect:
            this.downSince ??= new Date();
            this.transition('disconnected', `disconnected from ${show(s.data)}`);
            break;
          case DebugEvents.Reconnecting:
            this.transition(
              'reconnecting',
              `reconnecting (attempt ${this.reconnectDelay.attempts() + 1})`,
            );
            break;
          case Events.Reconnect:
            this.reconnectDelay.reset();
            this.outage = {
              down: this.downSince ?? new Date(),
              back: new Date(),
              settle_ms: this.options.reconnect.max_delay_ms,
            };
            this.downSince = null;
            this.transition('connected', `reconnected to ${show(s.data)}`);
            break;
          case Events.LDM:
            this.logger.warn(`server ${show(s.data)} entered lame duck mode; will move on`);
            break;
          case Events.Error:
            this.logger.error(`async error: ${show(s.data)}`);
            break;
          default:
            break;
        }
      }
    } catch (err: unknown) {
      this.logger.error(`status watch ended: ${errorMessage(err)}`);
    }
  }

  private async drain(): Promise<void> {
    const pending = this.connecting;
    if (pending === null) {
      this.transition('closed', 'closed (never connected)');
      return;
    }
    let nc: NatsConnection;
    try {
      nc = await pending;
    } catch {
      this.transition('closed', 'closed (connect had failed)');
      return;
    }
    if (nc.isClosed()) {
      this.transition('closed', 'closed');
      return;
    }
    try {
      await nc.drain();
    } catch (err: unknown) {
      this.logger.warn(`drain failed (${errorMessage(err)}); closing`);
      await nc.close().catch(() => undefined);
    }
    await nc.closed();
    this.transition('closed', 'drained and closed');
  }

  private transition(next: BusStatus, message: string): void {
    if (next === this.state) {
      return;
    }
    const previous = this.state;
    this.state = next;
    const line = `bus ${previous} → ${next}: ${message}`;
    if (next === 'connected' || next === 'connecting' || next === 'closed') {
      this.logger.log(line);
    } else {
      this.logger.warn(line);
    }
    for (const listener of this.listeners) {
      listener(next);
    }
  }
}

function show(data: unknown): string {
  return typeof data === 'string' || typeof data === 'number' ? String(data) : JSON.stringify(data);
}
