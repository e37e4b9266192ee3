// Over ~300 lines: creating and checking every stream, consumer and bucket the topology declares, with the
// comparisons that refuse an immutable change; one job, many NATS objects.
import { Logger } from '@nestjs/common';
import { BUCKET_NAMES, type BucketName } from '@opscrew/contracts';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { isConsumerNotFound, isStreamNotFound } from './nats-errors';
import { type SubjectMapper } from './subject-mapper';
import {
  type BucketDeclaration,
  BUCKETS,
  type ConsumerDeclaration,
  CONSUMER_NAMES,
  CONSUMERS,
  DEAD_LETTER_STREAM_LIMITS,
  DEAD_LETTER_STREAM_SUBJECTS,
  STREAM_MAX_AGE_MS,
  STREAM_SUBJECTS,
  type StreamRole,
} from './topology';

export type ProvisionAction = 'created' | 'updated' | 'unchanged';

export interface ProvisionedItem {
  name: string;
  action: ProvisionAction;
  /** What differed, for `updated`. */
  changes?: string[];
}

export interface TopologyReport {
  stream: ProvisionedItem;
  deadLetterStream: ProvisionedItem;
  consumers: ProvisionedItem[];
}

export interface TopologyOptions {
  duplicate_window_ms: number;
  /** num_replicas of every stream and bucket (bus.replicas); default 1. */
  replicas?: number;
}

const logger = new Logger('TopologyProvisioner');

/** The stream's declared config, namespace-mapped. */
export function streamConfig(
  mapper: SubjectMapper,
  options: TopologyOptions,
): Partial<StreamConfig> {
  return {
    name: mapper.stream(),
    subjects: STREAM_SUBJECTS.map((s) => mapper.toWire(s)),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(STREAM_MAX_AGE_MS),
    duplicate_window: nanos(options.duplicate_window_ms),
    num_replicas: options.replicas ?? 1,
  };
}

/** The dead-letter stream's declared config, namespace-mapped (limits: DEAD_LETTER_STREAM_LIMITS). */
export function deadLetterStreamConfig(
  mapper: SubjectMapper,
  options: TopologyOptions,
): Partial<StreamConfig> {
  return {
    name: mapper.deadLetterStream(),
    subjects: DEAD_LETTER_STREAM_SUBJECTS.map((s) => mapper.toWire(s)),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(DEAD_LETTER_STREAM_LIMITS.max_age_ms),
    max_msgs: DEAD_LETTER_STREAM_LIMITS.max_msgs,
    max_bytes: DEAD_LETTER_STREAM_LIMITS.max_bytes,
    max_msg_size: DEAD_LETTER_STREAM_LIMITS.max_msg_size,
    // One record per message and consumer even when the dead-lettering step is retried.
    duplicate_window: nanos(options.duplicate_window_ms),
    num_replicas: options.replicas ?? 1,
  };
}

/** The wire name of the stream a consumer reads. */
export function consumerStream(mapper: SubjectMapper, declaration: ConsumerDeclaration): string {
  return streamOfRole(mapper, declaration.stream ?? 'events');
}

function streamOfRole(mapper: SubjectMapper, role: StreamRole): string {
  return role === 'deadletters' ? mapper.deadLetterStream() : mapper.stream();
}

/** A declared consumer's config, namespace-mapped. */
export function consumerConfig(
  mapper: SubjectMapper,
  declaration: ConsumerDeclaration,
): Partial<ConsumerConfig> {
  return {
    durable_name: declaration.durable,
    description: declaration.description,
    filter_subject: consumerWireFilter(mapper, declaration.filter),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: declaration.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(declaration.ack_wait_ms),
    max_deliver: declaration.max_deliver,
    max_ack_pending: declaration.max_ack_pending,
  };
}

/**
 * A consumer's filter on the wire. Every crew publish ends in its publisher's user
 * (`incident.detected.ops-monitor`, publisher-subject.ts), so an exact logical filter takes one
 * more token: `incident.detected` → `incident.detected.*`. A family filter (`incident.>`) already
 * matches both the attributed and the bare subjects. The consumer loop strips the token again:
 * handlers match logical subjects.
 */
export function consumerWireFilter(mapper: SubjectMapper, filter: string): string {
  return filter.endsWith('>') ? mapper.toWire(filter) : mapper.anyPublisher(filter);
}

/**
 * Makes the stream and the declared consumers match `topology.ts`. Idempotent:
 * creates what is missing, updates what differs in an editable field, never
 * deletes a stream or a consumer (data and positions survive). A difference in
 * a field the server cannot edit (storage, retention, deliver/ack policy) is an
 * error naming the field: a human decides.
 */
export async function provisionTopology(
  jsm: JetStreamManager,
  mapper: SubjectMapper,
  options: TopologyOptions,
): Promise<TopologyReport> {
  const stream = await provisionStream(jsm, streamConfig(mapper, options));
  const deadLetterStream = await provisionStream(jsm, deadLetterStreamConfig(mapper, options));
  const consumers: ProvisionedItem[] = [];
  for (const name of CONSUMER_NAMES) {
    const declaration = CONSUMERS[name];
    consumers.push(
      await provisionConsumer(
        jsm,
        consumerStream(mapper, declaration),
        consumerConfig(mapper, declaration),
      ),
    );
  }
  return { stream, deadLetterStream, consumers };
}

async function provisionStream(
  jsm: JetStreamManager,
  wanted: Partial<StreamConfig>,
): Promise<ProvisionedItem> {
  const name = wanted.name ?? '';
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(name);
  } catch (err: unknown) {
    if (!isStreamNotFound(err)) throw err;
    await withReplicaHint(`stream ${name}`, wanted.num_replicas, () => jsm.streams.add(wanted));
    logger.log(`stream ${name} created`);
    return { name, action: 'created' };
  }
  const current = info.config;
  refuseImmutable(`stream ${name}`, [
    ['storage', current.storage, wanted.storage],
    ['retention', current.retention, wanted.retention],
  ]);
  const changes = differences([
    ['subjects', sorted(current.subjects), sorted(wanted.subjects ?? [])],
    ['max_age', current.max_age, wanted.max_age],
    ['max_msgs', current.max_msgs, wanted.max_msgs],
    ['max_bytes', current.max_bytes, wanted.max_bytes],
    ['max_msg_size', current.max_msg_size, wanted.max_msg_size],
    ['duplicate_window', current.duplicate_window, wanted.duplicate_window],
    ['discard', current.discard, wanted.discard],
    ['num_replicas', current.num_replicas, wanted.num_replicas],
  ]);
  if (changes.length === 0) {
    return { name, action: 'unchanged' };
  }
  await withReplicaHint(`stream ${name}`, wanted.num_replicas, () =>
    jsm.streams.update(name, { ...current, ...wanted }),
  );
  logger.log(`stream ${name} updated: ${changes.join(', ')}`);
  return { name, action: 'updated', changes };
}

async function provisionConsumer(
  jsm: JetStreamManager,
  stream: string,
  wanted: Partial<ConsumerConfig>,
): Promise<ProvisionedItem> {
  const name = wanted.durable_name ?? '';
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(stream, name);
  } catch (err: unknown) {
    if (!isConsumerNotFound(err)) throw err;
    await jsm.consumers.add(stream, wanted);
    logger.log(`consumer ${stream}/${name} created`);
    return { name, action: 'created' };
  }
  const current = info.config;
  refuseImmutable(`consumer ${stream}/${name}`, [
    ['ack_policy', current.ack_policy, wanted.ack_policy],
    ['deliver_policy', current.deliver_policy, wanted.deliver_policy],
  ]);
  const changes = differences([
    ['filter_subject', current.filter_subject, wanted.filter_subject],
    ['ack_wait', current.ack_wait, wanted.ack_wait],
    ['max_deliver', current.max_deliver, wanted.max_deliver],
    ['max_ack_pending', current.max_ack_pending, wanted.max_ack_pending],
    ['description', current.description, wanted.description],
  ]);
  if (changes.length === 0) {
    return { name, action: 'unchanged' };
  }
  await jsm.consumers.update(stream, name, {
    filter_subject: wanted.filter_subject,
    ack_wait: wanted.ack_wait,
    max_deliver: wanted.max_deliver,
    max_ack_pending: wanted.max_ack_pending,
    description: wanted.description,
  });
  logger.log(`consumer ${stream}/${name} updated: ${changes.join(', ')}`);
  return { name, action: 'updated', changes };
}

/** The KV stream behind a bucket is `KV_<bucket>` (nats.js convention). */
export function bucketStreamName(wireBucket: string): string {
  return `KV_${wireBucket}`;
}

/**
 * Makes every declared bucket exist with its declared history/TTL/size.
 * Creates through the client's KV view (so the KV stream flags are right) and
 * updates the backing stream's editable limits. Never deletes data.
 */
export async function provisionBuckets(
  jsm: JetStreamManager,
  mapper: SubjectMapper,
  names: readonly BucketName[] = BUCKET_NAMES,
  options: Pick<TopologyOptions, 'replicas'> = {},
): Promise<ProvisionedItem[]> {
  const report: ProvisionedItem[] = [];
  for (const name of names) {
    report.push(
      await provisionBucket(jsm, mapper.bucket(name), BUCKETS[name], options.replicas ?? 1),
    );
  }
  return report;
}

async function provisionBucket(
  jsm: JetStreamManager,
  bucket: string,
  declaration: BucketDeclaration,
  replicas: number,
): Promise<ProvisionedItem> {
  const streamName = bucketStreamName(bucket);
  const storage = declaration.storage === 'memory' ? StorageType.Memory : StorageType.File;
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(streamName);
  } catch (err: unknown) {
    if (!isStreamNotFound(err)) throw err;
    await withReplicaHint(`bucket ${bucket}`, replicas, () =>
      jsm.jetstream().views.kv(bucket, {
        history: declaration.history,
        ttl: declaration.ttl_ms,
        storage,
        maxValueSize: declaration.max_value_bytes,
        description: declaration.description,
        replicas,
      }),
    );
    logger.log(`bucket ${bucket} created`);
    return { name: bucket, action: 'created' };
  }
  const current = info.config;
  refuseImmutable(`bucket ${bucket}`, [['storage', current.storage, storage]]);
  const wanted = {
    max_msgs_per_subject: declaration.history,
    max_age: nanos(declaration.ttl_ms),
    max_msg_size: declaration.max_value_bytes,
    description: declaration.description,
    num_replicas: replicas,
  };
  const changes = differences([
    ['history', current.max_msgs_per_subject, wanted.max_msgs_per_subject],
    ['ttl', current.max_age, wanted.max_age],
    ['max_value_size', current.max_msg_size, wanted.max_msg_size],
    ['description', current.description, wanted.description],
    ['num_replicas', current.num_replicas, wanted.num_replicas],
  ]);
  if (changes.length === 0) {
    return { name: bucket, action: 'unchanged' };
  }
  await withReplicaHint(`bucket ${bucket}`, replicas, () =>
    jsm.streams.update(streamName, { ...current, ...wanted }),
  );
  logger.log(`bucket ${bucket} updated: ${changes.join(', ')}`);
  return { name: bucket, action: 'updated', changes };
}

/**
 * Runs a stream create/update; when the server refuses the replica count (more copies than it
 * has JetStream nodes, or any count above 1 on a single server) the error says which setting
 * asked for them. NATS 2.9 itself allows changing num_replicas of an existing stream (a KV
 * bucket is the stream KV_<bucket>): it adds or drops copies in place, data kept.
 */
async function withReplicaHint<T>(
  what: string,
  replicas: number | undefined,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (
      (replicas ?? 1) > 1 &&
      /replica|insufficient resources|non-clustered|no suitable peers/i.test(message)
    ) {
      throw new Error(
        `${what}: the server refused ${replicas} replicas (${message}); bus.replicas must not ` +
          'exceed the number of JetStream nodes in the cluster (1 on a single server)',
        { cause: error },
      );
    }
    throw error;
  }
}

type Comparison = readonly [field: string, current: unknown, wanted: unknown];

function differences(comparisons: readonly Comparison[]): string[] {
  return comparisons
    .filter(([, current, wanted]) => wanted !== undefined && !same(current, wanted))
    .map(([field, current, wanted]) => `${field} ${show(current)} → ${show(wanted)}`);
}

function refuseImmutable(what: string, comparisons: readonly Comparison[]): void {
  const changes = differences(comparisons);
  if (changes.length > 0) {
    throw new Error(
      `${what}: ${changes.join(', ')} cannot be changed in place; ` +
        'migrate it by hand (provisioning never deletes data)',
    );
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

export interface ProvisionReport extends TopologyReport {
  buckets: ProvisionedItem[];
}

/** Streams, consumers and buckets in one go (what the module runs at startup). */
export async function provisionAll(
  jsm: JetStreamManager,
  mapper: SubjectMapper,
  options: TopologyOptions,
): Promise<ProvisionReport> {
  const topology = await provisionTopology(jsm, mapper, options);
  const buckets = await provisionBuckets(jsm, mapper, BUCKET_NAMES, options);
  return { ...topology, buckets };
}
