/**
 * Plain options of the bus. libs/config owns where they come from; the app maps
 * its config onto this shape, a CLI or a test builds it by hand.
 */
export interface BusOptions {
  /** `nats://host:port` URLs; the client rotates through them on reconnect. */
  servers: string[];
  /** Connection name shown by the server's monitoring (e.g. the agent name). */
  name: string;
  /**
   * Isolates a bus inside a shared server: wire subjects `<ns>.<subject>`,
   * stream `<stream>_<ns>`, buckets `<ns>_<bucket>`. Tests use a unique one each.
   */
  namespace?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Stream name before namespacing; default `OPS`. */
  stream?: string;
  reconnect?: ReconnectOptions;
  /** Publish dedup window (`Nats-Msg-Id`); default 2 min, the server's own default. */
  duplicate_window_ms?: number;
  /**
   * Copies of every stream and bucket the provisioning makes (num_replicas); default 1. Must not
   * exceed the cluster's node count (a single server: 1).
   */
  replicas?: number;
  /**
   * Keep retrying the first connect instead of failing (services started before
   * NATS, e.g. in docker compose). Default true; a CLI sets false to fail fast.
   */
  wait_on_first_connect?: boolean;
}

export interface ReconnectOptions {
  initial_delay_ms: number;
  max_delay_ms: number;
}

export const DEFAULT_STREAM_NAME = 'OPS';

/** Same as the server default: long enough to cover a client's publish retries after a reconnect. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/**
 * Start at 250 ms so a server restart costs well under a second of silence;
 * cap at 30 s so a long outage does not hammer the server (or the logs) while
 * still noticing its return within half a minute.
 */
export const DEFAULT_RECONNECT: ReconnectOptions = { initial_delay_ms: 250, max_delay_ms: 30_000 };

export interface ResolvedBusOptions extends BusOptions {
  stream: string;
  reconnect: ReconnectOptions;
  duplicate_window_ms: number;
  replicas: number;
  wait_on_first_connect: boolean;
}

/** NATS keeps at most 5 copies of a stream. */
export const MAX_REPLICAS = 5;

export function resolveBusOptions(options: BusOptions): ResolvedBusOptions {
  if (options.servers.length === 0) {
    throw new Error('bus: at least one server URL is required');
  }
  const reconnect = options.reconnect ?? DEFAULT_RECONNECT;
  if (
    !(reconnect.initial_delay_ms > 0) ||
    !(reconnect.max_delay_ms >= reconnect.initial_delay_ms)
  ) {
    throw new Error(
      'bus: reconnect.initial_delay_ms must be > 0 and reconnect.max_delay_ms ≥ initial_delay_ms',
    );
  }
  const duplicateWindow = options.duplicate_window_ms ?? DEFAULT_DUPLICATE_WINDOW_MS;
  if (!(duplicateWindow > 0)) {
    throw new Error('bus: duplicate_window_ms must be > 0');
  }
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
    throw new Error(`bus: replicas must be a whole number from 1 to ${MAX_REPLICAS}`);
  }
  return {
    ...options,
    replicas,
    stream: options.stream ?? DEFAULT_STREAM_NAME,
    reconnect,
    duplicate_window_ms: duplicateWindow,
    wait_on_first_connect: options.wait_on_first_connect ?? true,
  };
}
