import { TransientError } from './handler-errors';

/** A key outside what NATS KV accepts (`[-/_=.a-zA-Z0-9]+`, no leading/trailing dot). */
export class InvalidKvKeyError extends Error {
  override readonly name = 'InvalidKvKeyError';

  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(
      `kv ${bucket}: invalid key "${key}" (allowed: [-/_=.a-zA-Z0-9]+, no leading or trailing dot)`,
    );
  }
}

/** A stored value that does not parse or validate: someone wrote garbage, or the schema moved. */
export class KvCorruptValueError extends Error {
  override readonly name = 'KvCorruptValueError';

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly revision: number,
    readonly reason: string,
  ) {
    super(`kv ${bucket}: value of key "${key}" (revision ${revision}) is invalid: ${reason}`);
  }
}

/** Refused before writing: the value does not satisfy the bucket's schema. */
export class KvInvalidValueError extends Error {
  override readonly name = 'KvInvalidValueError';

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`kv ${bucket}: refusing to write key "${key}": ${reason}`);
  }
}

/**
 * `TypedKv.mutate` lost every round: the key kept changing under it. Transient (a consumer
 * handler that lets it through gets a redelivery later), and it names bucket, key and rounds.
 */
export class KvContentionError extends TransientError {
  override readonly name = 'KvContentionError';

  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly attempts: number,
  ) {
    super(
      `kv ${bucket}: key "${key}" kept changing under us; gave up after ${attempts} attempts (write contention, retry later)`,
    );
  }
}
