import { type BucketName } from '@opscrew/contracts';
import { type KV } from 'nats';
import { type NatsConnectionService } from './nats-connection.service';
import { isStreamNotFound } from './nats-errors';
import { bucketStreamName } from './topology.provisioner';
import { type KvSchema, TypedKv } from './typed-kv';

/**
 * Opens typed views of the provisioned buckets (namespace-mapped). Binds only:
 * a missing bucket is an error, because only provisioning decides its history
 * and TTL. Reads go to the stream leader (no direct get): a lease check must
 * not read a stale replica.
 */
export class KvFactory {
  private readonly handles = new Map<string, Promise<KV>>();

  constructor(private readonly bus: NatsConnectionService) {}

  async open<T>(bucket: BucketName, schema: KvSchema<T>): Promise<TypedKv<T>> {
    return new TypedKv<T>(await this.raw(bucket), bucket, schema, () => this.listKeys(bucket));
  }

  /**
   * The bucket's keys from its stream's subjects: one request that always
   * answers (unlike `kv.keys()`, see TypedKv). Deleted keys are included.
   */
  async listKeys(bucket: BucketName): Promise<string[]> {
    const wire = this.bus.subjects.bucket(bucket);
    const prefix = `$KV.${wire}.`;
    const jsm = await this.bus.jetstreamManager();
    const info = await jsm.streams.info(bucketStreamName(wire), { subjects_filter: `${prefix}>` });
    return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
  }

  /** The untyped client view, for watches and other advanced uses. */
  raw(bucket: BucketName): Promise<KV> {
    const wire = this.bus.subjects.bucket(bucket);
    let handle = this.handles.get(wire);
    if (handle === undefined) {
      handle = this.bind(wire);
      void handle.catch(() => this.handles.delete(wire));
      this.handles.set(wire, handle);
    }
    return handle;
  }

  private async bind(wire: string): Promise<KV> {
    const jsm = await this.bus.jetstreamManager();
    try {
      await jsm.streams.info(bucketStreamName(wire));
    } catch (err: unknown) {
      if (isStreamNotFound(err)) {
        throw new Error(`bus: bucket ${wire} does not exist; provision the buckets first`, {
          cause: err,
        });
      }
      throw err;
    }
    return this.bus.jetstream().views.kv(wire, { bindOnly: true, allow_direct: false });
  }
}
