import { BUCKET_NAMES } from '@opscrew/contracts';
import { type JetStreamManager } from 'nats';
import { isConsumerNotFound, isStreamNotFound } from './nats-errors';
import { type SubjectMapper } from './subject-mapper';
import { bucketStreamName, consumerStream } from './topology.provisioner';
import { CONSUMERS, type ConsumerName } from './topology';

/** What a process checks exists before it starts: the crew's streams, its durables, the buckets. */
export interface TopologyNeeds {
  /** The durables it pulls (its BUS_GRANTS entry): only these, it may not look at others. */
  readonly durables: readonly ConsumerName[];
}

/** The remedy every "missing" message names: the admin step makes the topology, not agents. */
export const PROVISION_HINT = 'run `opscrew bus provision` with admin credentials';

/**
 * The parts of the declared topology that do not exist, by wire name (`stream OPS`,
 * `consumer OPS/atlas-ledger`, `bucket incidents`); empty when everything is there. Looks
 * only (STREAM.INFO, CONSUMER.INFO): what an agent without provisioning rights may do.
 * Other errors (a permissions violation, a timeout) are thrown, not reported as missing.
 */
export async function missingTopology(
  jsm: JetStreamManager,
  mapper: SubjectMapper,
  needs: TopologyNeeds,
): Promise<string[]> {
  const streamExists = async (name: string): Promise<boolean> => {
    try {
      await jsm.streams.info(name);
      return true;
    } catch (err: unknown) {
      if (isStreamNotFound(err)) return false;
      throw err;
    }
  };
  const consumerExists = async (stream: string, durable: string): Promise<boolean> => {
    try {
      await jsm.consumers.info(stream, durable);
      return true;
    } catch (err: unknown) {
      if (isConsumerNotFound(err)) return false;
      throw err;
    }
  };
  // Every check at once (a dozen INFO requests on every agent start), reported in a fixed order.
  const streams = [mapper.stream(), mapper.deadLetterStream()];
  const buckets = BUCKET_NAMES.map((bucket) => mapper.bucket(bucket));
  const [streamsFound, bucketsFound] = await Promise.all([
    Promise.all(streams.map(streamExists)),
    Promise.all(buckets.map((wire) => streamExists(bucketStreamName(wire)))),
  ]);
  const present = new Set(streams.filter((_, i) => streamsFound[i]));
  const durables = needs.durables
    .map((durable) => ({ durable, stream: consumerStream(mapper, CONSUMERS[durable]) }))
    // On a missing stream, its consumers are missing too: said once, by the stream.
    .filter(({ stream }) => present.has(stream));
  const durablesFound = await Promise.all(
    durables.map(({ stream, durable }) => consumerExists(stream, durable)),
  );
  return [
    ...streams.filter((stream) => !present.has(stream)).map((stream) => `stream ${stream}`),
    ...durables
      .filter((_, i) => !durablesFound[i])
      .map(({ stream, durable }) => `consumer ${stream}/${durable}`),
    ...buckets.filter((_, i) => !bucketsFound[i]).map((wire) => `bucket ${wire}`),
  ];
}

export interface WaitForTopologyOptions {
  /** Give up after this long (config `bus.topology_wait_s`). */
  readonly timeoutMs: number;
  /** Between checks. */
  readonly intervalMs?: number;
  /** Told what is missing on the first check and about every 10 s after. */
  readonly warn?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** The message of a missing topology: what is missing and who makes it. */
export function topologyMissingMessage(missing: readonly string[]): string {
  return `bus topology missing: ${missing.join(', ')}; ${PROVISION_HINT}`;
}

/**
 * Waits until the topology this process needs exists (an admin step may still be running
 * beside it: compose starts them together, a Kubernetes Job may finish after the pods), then
 * resolves. Throws after `timeoutMs` with what is missing and the remedy.
 */
export async function waitForTopology(
  jsm: JetStreamManager,
  mapper: SubjectMapper,
  needs: TopologyNeeds,
  options: WaitForTopologyOptions,
): Promise<void> {
  const interval = options.intervalMs ?? 1_000;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  let lastWarned = Number.NEGATIVE_INFINITY;
  for (;;) {
    const missing = await missingTopology(jsm, mapper, needs);
    if (missing.length === 0) return;
    const message = topologyMissingMessage(missing);
    const elapsed = now() - started;
    if (elapsed >= options.timeoutMs) {
      throw new Error(`${message} (waited ${Math.round(elapsed / 1000)} s)`);
    }
    if (now() - lastWarned >= 10_000) {
      options.warn?.(`${message}; waiting up to ${Math.round(options.timeoutMs / 1000)} s`);
      lastWarned = now();
    }
    await sleep(Math.min(interval, Math.max(0, options.timeoutMs - elapsed)));
  }
}
