// class-transformer's @Type reads design-time metadata through the Reflect API.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ValidateBy, ValidateIf, ValidateNested } from 'class-validator';

/**
 * Property decorators for bus payloads and KV records. Each one checks type and
 * bounds together and has ONE message without the property name, so the
 * formatter can print `path: message` lines that read well.
 */

type Test = (value: unknown) => boolean;

function rule(name: string, test: Test, message: string): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown): boolean => test(value),
      defaultMessage: (): string => message,
    },
  });
}

function countPhrase(min: number, max: number, noun: string): string {
  return min > 0 ? `${min}-${max} ${noun}` : `at most ${max} ${noun}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  // Any realm's Object.prototype (jest sandboxes, worker threads) has a null prototype.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Optional means absent: `null` is a wrong type, not a missing value. */
export function OptionalField(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** Required, but `null` is an accepted value (e.g. "never seen"). */
export function NullableField(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== null);
}

export interface TextOptions {
  pattern?: RegExp;
  /** Human wording of the pattern, e.g. `INC-YYYYMMDD-NNN`; defaults to the regex. */
  describe?: string;
}

export function IsText(maxLength: number, options: TextOptions = {}): PropertyDecorator {
  const { pattern } = options;
  const message = pattern
    ? `must be a string matching ${options.describe ?? pattern.source} (at most ${maxLength} characters)`
    : `must be a non-empty string of at most ${maxLength} characters`;
  return rule(
    'isText',
    (v) =>
      typeof v === 'string' &&
      v.length > 0 &&
      v.length <= maxLength &&
      (pattern === undefined || pattern.test(v)),
    message,
  );
}

/** Short identifiers: `[A-Za-z0-9_-]` (subject tokens, run ids, symptom names). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;

export function IsToken(maxLength: number): PropertyDecorator {
  return IsText(maxLength, { pattern: TOKEN_PATTERN, describe: '[A-Za-z0-9_-]+' });
}

/** A string whose UTF-8 encoding fits `maxBytes` (NATS limits are in bytes). */
export function IsBoundedBytes(maxBytes: number): PropertyDecorator {
  const encoder = new TextEncoder();
  return rule(
    'isBoundedBytes',
    (v) => typeof v === 'string' && encoder.encode(v).length <= maxBytes,
    `must be a string of at most ${maxBytes} UTF-8 bytes`,
  );
}

export function IsOneOf(values: readonly string[]): PropertyDecorator {
  return rule(
    'isOneOf',
    (v) => typeof v === 'string' && values.includes(v),
    `must be one of ${values.join(', ')}`,
  );
}

export function IsFiniteNumber(
  options: { min?: number; exclusiveMin?: number } = {},
): PropertyDecorator {
  const { min, exclusiveMin } = options;
  let message = 'must be a finite number';
  if (min !== undefined) message += ` ≥ ${min}`;
  if (exclusiveMin !== undefined) message += ` > ${exclusiveMin}`;
  return rule(
    'isFiniteNumber',
    (v) =>
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (min === undefined || v >= min) &&
      (exclusiveMin === undefined || v > exclusiveMin),
    message,
  );
}

export function IsInteger(min: number): PropertyDecorator {
  return rule(
    'isInteger',
    (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min,
    `must be an integer ≥ ${min}`,
  );
}

export function IsFlag(): PropertyDecorator {
  return rule('isFlag', (v) => typeof v === 'boolean', 'must be a boolean');
}

/**
 * A full timestamp with a zone: `2025-01-31T12:00:00Z`, `…T12:00:00.123+01:00`.
 * Date-only strings are refused: every `*_at` is an instant.
 */
export const TIMESTAMP_PATTERN =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' && TIMESTAMP_PATTERN.test(value) && !Number.isNaN(Date.parse(value))
  );
}

export function IsTimestamp(): PropertyDecorator {
  return rule(
    'isTimestamp',
    isTimestamp,
    'must be an ISO-8601 timestamp with a zone (e.g. 2025-01-31T12:00:00.000Z)',
  );
}

export interface FlatRecordOptions {
  maxKeys: number;
  maxKeyLength: number;
  maxStringLength: number;
  allowBoolean: boolean;
}

/** A flat object of scalars: no nesting, bounded so a payload cannot balloon. */
export function IsFlatRecord(options: FlatRecordOptions): PropertyDecorator {
  const kinds = options.allowBoolean ? 'string, number or boolean' : 'string or number';
  return rule(
    'isFlatRecord',
    (v) => {
      if (!isPlainObject(v)) return false;
      const entries = Object.entries(v);
      if (entries.length > options.maxKeys) return false;
      return entries.every(([key, item]) => {
        if (key.length === 0 || key.length > options.maxKeyLength) return false;
        if (typeof item === 'string') return item.length <= options.maxStringLength;
        if (typeof item === 'number') return Number.isFinite(item);
        return options.allowBoolean && typeof item === 'boolean';
      });
    },
    `must be a flat object of at most ${options.maxKeys} keys (1-${options.maxKeyLength} characters) ` +
      `with ${kinds} values (strings ≤ ${options.maxStringLength} characters, numbers finite)`,
  );
}

export interface TextArrayOptions {
  maxItems: number;
  minItems?: number;
  maxLength: number;
  pattern?: RegExp;
  describe?: string;
}

export function IsTextArray(options: TextArrayOptions): PropertyDecorator {
  const { maxItems, maxLength, pattern } = options;
  const minItems = options.minItems ?? 0;
  const item = pattern
    ? `strings matching ${options.describe ?? pattern.source} (≤ ${maxLength} characters)`
    : `non-empty strings of at most ${maxLength} characters`;
  return rule(
    'isTextArray',
    (v) =>
      Array.isArray(v) &&
      v.length >= minItems &&
      v.length <= maxItems &&
      v.every(
        (s) =>
          typeof s === 'string' &&
          s.length > 0 &&
          s.length <= maxLength &&
          (pattern === undefined || pattern.test(s)),
      ),
    `must be an array of ${countPhrase(minItems, maxItems, item)}`,
  );
}

type Constructor = new () => object;

/** A nested object validated (and whitelisted) as an instance of `cls`. */
export function IsNested(cls: () => Constructor): PropertyDecorator {
  const type = Type(cls);
  const nested = ValidateNested();
  const shape = rule('isObject', isPlainObjectOrInstance, 'must be an object');
  return (target: object, key: string | symbol): void => {
    type(target, key);
    nested(target, key);
    shape(target, key);
  };
}

/** An array of nested objects, each validated (and whitelisted) as an instance of `cls`. */
export function IsNestedArray(
  cls: () => Constructor,
  options: { maxItems: number; minItems?: number },
): PropertyDecorator {
  const minItems = options.minItems ?? 0;
  const type = Type(cls);
  const nested = ValidateNested({ each: true });
  const shape = rule(
    'isObjectArray',
    (v) =>
      Array.isArray(v) &&
      v.length >= minItems &&
      v.length <= options.maxItems &&
      v.every(isPlainObjectOrInstance),
    `must be an array of ${countPhrase(minItems, options.maxItems, 'objects')}`,
  );
  return (target: object, key: string | symbol): void => {
    type(target, key);
    nested(target, key);
    shape(target, key);
  };
}

/** After class-transformer ran, a nested object is an instance of its class. */
function isPlainObjectOrInstance(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
