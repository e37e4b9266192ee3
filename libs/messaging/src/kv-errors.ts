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
