/**
 * The flags port: switch a failure flag of the target system on or off. The
 * embedded default and production both write flagd's JSON flag file (what
 * flagd watches); names may be the demo's 3.0 names or their 1.x aliases.
 */
export interface FlagChange {
  /** The key as written in the file (a 1.x file keeps its 1.x names). */
  readonly flag: string;
  readonly previous_variant: string | null;
  readonly variant: string;
  /** The variant's value (true, 0.95…), what the services will read. */
  readonly value: unknown;
  readonly file: string;
}

export interface FlagsPort {
  /** Sets the flag's default variant; rejects with FlagError for an unknown flag or variant. */
  setVariant(flag: string, variant: string): Promise<FlagChange>;
  /** The flag's variants and current default. */
  describe(
    flag: string,
  ): Promise<{ flag: string; variants: string[]; default_variant: string | null }>;
}

/** The FlagsPort the config chooses (Nest injection token). */
export const FLAGS = Symbol('FLAGS');

/** A flag change refused or failed, naming the flag, the file and what is valid instead. */
export class FlagError extends Error {
  override readonly name = 'FlagError';

  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
