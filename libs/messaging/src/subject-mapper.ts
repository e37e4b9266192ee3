import { type BucketName, isKvKey } from '@opscrew/contracts';

/** Namespaces and stream names are single tokens usable in subjects, stream and bucket names. */
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Logical ↔ wire names. Without a namespace every name is the logical one; with
 * namespace `x`: subjects `x.incident.detected`, stream `OPS_x`, buckets `x_incidents`.
 */
export class SubjectMapper {
  readonly namespace: string | undefined;
  private readonly prefix: string;

  constructor(
    namespace: string | undefined,
    private readonly baseStream: string,
  ) {
    if (namespace !== undefined && namespace !== '' && !NAME_PATTERN.test(namespace)) {
      throw new Error(`bus: namespace "${namespace}" must match [A-Za-z0-9_-]+`);
    }
    if (!NAME_PATTERN.test(baseStream)) {
      throw new Error(`bus: stream name "${baseStream}" must match [A-Za-z0-9_-]+`);
    }
    this.namespace = namespace === '' ? undefined : namespace;
    this.prefix = this.namespace === undefined ? '' : `${this.namespace}.`;
  }

  /** Wire subject (or filter, wildcards allowed) for a logical one. */
  toWire(logical: string): string {
    return this.prefix + logical;
  }

  /** Logical subject for a wire subject, or null when it is outside this namespace. */
  toLogical(wire: string): string | null {
    if (this.prefix === '') return wire;
    return wire.startsWith(this.prefix) ? wire.slice(this.prefix.length) : null;
  }

  /** The stream's wire name. */
  stream(): string {
    return this.namespace === undefined ? this.baseStream : `${this.baseStream}_${this.namespace}`;
  }

  /** A bucket's wire name. */
  bucket(name: BucketName): string {
    const wire = this.namespace === undefined ? name : `${this.namespace}_${name}`;
    if (!NAME_PATTERN.test(wire) || !isKvKey(wire)) {
      throw new Error(`bus: bucket name "${wire}" must match [A-Za-z0-9_-]+`);
    }
    return wire;
  }
}
