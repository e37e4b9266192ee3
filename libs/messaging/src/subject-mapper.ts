import { type BucketName, isKvKey } from '@opscrew/contracts';
import { type BusUser } from './bus-user';
import { type AttributedSubject, attributedSubject, splitPublisher } from './publisher-subject';

/** Namespaces and stream names are single tokens usable in subjects, stream and bucket names. */
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The dead-letter stream's base name (namespaced like the event stream). */
export const DEAD_LETTER_STREAM = 'DEADLETTERS';
const DEAD_LETTER_PREFIX = 'deadletter.';

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

  /**
   * The wire subject `publisher` publishes a logical subject on: `<ns>.<logical>.<publisher>`;
   * null publisher: `<ns>.<logical>` (an outside system's unattributed `incident.reported`).
   * See publisher-subject.ts for why the publisher is in the subject.
   */
  toPublishWire(logical: string, publisher: BusUser | null): string {
    return this.toWire(attributedSubject(logical, publisher));
  }

  /**
   * A wire filter for a logical subject from any crew publisher: `<ns>.<logical>.*` (a consumer
   * filter, a stream read). An unattributed bare publish (`incident.reported` from outside) is
   * not matched: read `toWire(logical)` for that, or the family.
   */
  anyPublisher(logical: string): string {
    return this.toWire(`${logical}.*`);
  }

  /**
   * Logical subject and publisher of a received wire subject (see splitPublisher), or null when
   * it is outside this namespace.
   */
  fromWire(wire: string): AttributedSubject | null {
    const subject = this.toLogical(wire);
    return subject === null ? null : splitPublisher(subject);
  }

  /** The event stream's wire name. */
  stream(): string {
    return this.namespaced(this.baseStream);
  }

  /** The dead-letter stream's wire name: `DEADLETTERS`, `DEADLETTERS_<namespace>`. */
  deadLetterStream(): string {
    return this.namespaced(DEAD_LETTER_STREAM);
  }

  /** The wire name of the stream that stores a logical subject: dead letters have their own. */
  streamFor(logical: string): string {
    return logical.startsWith(DEAD_LETTER_PREFIX) ? this.deadLetterStream() : this.stream();
  }

  private namespaced(base: string): string {
    return this.namespace === undefined ? base : `${base}_${this.namespace}`;
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
