import { errorMessage } from '../runtime/error-message';
/** A variant's value, as flagd types them: boolean, number, string or object flags. */
export type FlagValue = boolean | number | string | { readonly [key: string]: unknown };

/** One flag of a flagd flag file, reduced to what the shop evaluates. */
export interface FlagDefinition {
  readonly state: 'ENABLED' | 'DISABLED';
  /** null: "use the code-defined default" (flagd's schema allows it). */
  readonly defaultVariant: string | null;
  readonly variants: Readonly<Record<string, FlagValue>>;
  /** The flag has targeting rules; the shop ignores them (see flag.evaluator.ts). */
  readonly hasTargeting: boolean;
}

export interface ParsedFlagFile {
  readonly flags: ReadonlyMap<string, FlagDefinition>;
  /** Flags that were skipped, one line each (`cartFailure: defaultVariant "x" is not a variant`). */
  readonly problems: readonly string[];
}

/** The text is not a flagd flag file at all (not JSON, or no `flags`). */
export class FlagFileError extends Error {
  override readonly name = 'FlagFileError';
}

/**
 * Parses a flagd flag file (`https://flagd.dev/schema/v0/flags.json`): the
 * `flags` object of the providers' schema, or the flag array flagd itself
 * also accepts (`[{ key, state, variants, defaultVariant }]`). A malformed
 * flag is skipped and named in `problems` — one bad flag must not switch the
 * others off — while a file that is not a flag file at all throws.
 */
export function parseFlagdFile(text: string): ParsedFlagFile {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FlagFileError(`not JSON: ${errorMessage(error)}`);
  }
  if (!isRecord(root))
    throw new FlagFileError('not a flagd flag file: the top level is not an object');
  const entries = flagEntries(root['flags']);
  const flags = new Map<string, FlagDefinition>();
  const problems: string[] = [];
  for (const [name, raw] of entries) {
    const parsed = parseFlag(raw);
    if (typeof parsed === 'string') problems.push(`${name}: ${parsed}`);
    else flags.set(name, parsed);
  }
  return { flags, problems };
}

function flagEntries(flags: unknown): [string, unknown][] {
  if (isRecord(flags)) return Object.entries(flags);
  if (Array.isArray(flags)) {
    return flags.map((flag: unknown, index) => {
      const key = isRecord(flag) ? flag['key'] : undefined;
      return [typeof key === 'string' && key !== '' ? key : `flags[${index}]`, flag];
    });
  }
  throw new FlagFileError('not a flagd flag file: "flags" must be an object or an array');
}

/** The definition, or why it was skipped. */
function parseFlag(raw: unknown): FlagDefinition | string {
  if (!isRecord(raw)) return 'not an object';
  const state = raw['state'];
  if (state !== 'ENABLED' && state !== 'DISABLED') {
    return `state must be "ENABLED" or "DISABLED", got ${JSON.stringify(state)}`;
  }
  const variants = raw['variants'];
  if (!isRecord(variants) || Object.keys(variants).length === 0) {
    return 'variants must be a non-empty object';
  }
  const values: Record<string, FlagValue> = {};
  for (const [variant, value] of Object.entries(variants)) {
    if (!isFlagValue(value)) return `variant "${variant}" has an unsupported value`;
    values[variant] = value;
  }
  const defaultVariant = raw['defaultVariant'] ?? null;
  if (defaultVariant !== null && typeof defaultVariant !== 'string') {
    return 'defaultVariant must be a string or null';
  }
  if (defaultVariant !== null && !(defaultVariant in values)) {
    return `defaultVariant "${defaultVariant}" is not one of its variants (${Object.keys(values).join(', ')})`;
  }
  return {
    state,
    defaultVariant,
    variants: values,
    hasTargeting: raw['targeting'] !== undefined && raw['targeting'] !== null,
  };
}

function isFlagValue(value: unknown): value is FlagValue {
  return (
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    isRecord(value)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
