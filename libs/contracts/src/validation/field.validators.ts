// Over ~300 lines: declarations: one property decorator per field kind of bus payloads and KV records, each
// a few lines on the shared valueRule.
// class-transformer's @Type reads design-time metadata through the Reflect API.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ValidateIf, ValidateNested } from 'class-validator';
import { type JsonSchema } from '../json-schema/json-schema.types';
import { type Constructor, SchemaHint } from './schema-hint';
import { RESERVED_KEYS } from './validate-plain';
import { valueRule } from './value-rule';

/**
 * Property decorators for bus payloads and KV records. Each one checks type and
 * bounds together and has ONE message without the property name, so the
 * formatter can print `path: message` lines that read well. Each one also says
 * what it means as JSON Schema (a {@link SchemaHint}, stored as its constraint),
 * from the same arguments as its check: docs/events is generated from these.
 */

type Test = (value: unknown) => boolean;

function rule(
  name: string,
  test: Test,
  message: string,
  schema: JsonSchema | SchemaHint,
): PropertyDecorator {
  const hint = schema instanceof SchemaHint ? schema : new SchemaHint(() => schema);
  return valueRule(name, test, message, { constraints: [hint] });
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

// The two conditions are module constants so the schema generator can tell them apart by
// identity (a ValidateIf condition is an opaque function in class-validator's metadata).
const validateWhenPresent = (_object: object, value: unknown): boolean => value !== undefined;
const validateWhenNotNull = (_object: object, value: unknown): boolean => value !== null;

/** Optional means absent: `null` is a wrong type, not a missing value. */
export function OptionalField(): PropertyDecorator {
  return ValidateIf(validateWhenPresent);
}

/** Required, but `null` is an accepted value (e.g. "never seen"). */
export function NullableField(): PropertyDecorator {
  return ValidateIf(validateWhenNotNull);
}

export type FieldPresence = 'optional' | 'nullable';

/** Which of the two decorators above a ValidateIf condition comes from; undefined for any other. */
export function presenceOf(condition: unknown): FieldPresence | undefined {
  if (condition === validateWhenPresent) return 'optional';
  if (condition === validateWhenNotNull) return 'nullable';
  return undefined;
}

/** `pattern` of a JSON Schema: the regex source; flags have no JSON Schema equivalent. */
function schemaPattern(pattern: RegExp): string {
  if (pattern.flags !== '') {
    throw new Error(
      `pattern /${pattern.source}/${pattern.flags} has flags, which a JSON Schema pattern cannot carry`,
    );
  }
  return pattern.source;
}

/**
 * A non-empty string of at most `maxLength` characters, optionally matching `pattern`. Lazy,
 * so a pattern JSON Schema cannot carry fails the generator, never the app at start-up.
 */
function textSchema(maxLength: number, pattern: RegExp | undefined): SchemaHint {
  return new SchemaHint(() => ({
    type: 'string',
    minLength: 1,
    maxLength,
    ...(pattern === undefined ? {} : { pattern: schemaPattern(pattern) }),
  }));
}

export interface TextOptions {
  pattern?: RegExp;
  /** Human wording of the pattern, e.g. `INC-YYYYMMDD-NNN-EEEE`; defaults to the regex. */
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
    textSchema(maxLength, pattern),
  );
}

/** Short identifiers: `[A-Za-z0-9_-]` (subject tokens, run ids, symptom names). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;

export function IsToken(maxLength: number): PropertyDecorator {
  return IsText(maxLength, { pattern: TOKEN_PATTERN, describe: '[A-Za-z0-9_-]+' });
}

/**
 * A string whose UTF-8 encoding fits `maxBytes` (NATS limits are in bytes). JSON Schema
 * counts characters, not bytes: `maxLength: maxBytes` is the closest bound it can state
 * (every character takes at least one byte), so the schema says the rest in words.
 */
export function IsBoundedBytes(maxBytes: number): PropertyDecorator {
  const encoder = new TextEncoder();
  return rule(
    'isBoundedBytes',
    (v) => typeof v === 'string' && encoder.encode(v).length <= maxBytes,
    `must be a string of at most ${maxBytes} UTF-8 bytes`,
    {
      type: 'string',
      maxLength: maxBytes,
      description: `At most ${maxBytes} UTF-8 bytes (checked by the parser; maxLength counts characters).`,
    },
  );
}

export function IsOneOf(values: readonly string[]): PropertyDecorator {
  return rule(
    'isOneOf',
    (v) => typeof v === 'string' && values.includes(v),
    `must be one of ${values.join(', ')}`,
    { type: 'string', enum: [...values] },
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
    // JSON cannot carry NaN or Infinity; Ajv also refuses a literal like 1e400 that parses to one.
    {
      type: 'number',
      ...(min === undefined ? {} : { minimum: min }),
      ...(exclusiveMin === undefined ? {} : { exclusiveMinimum: exclusiveMin }),
    },
  );
}

export function IsInteger(min: number): PropertyDecorator {
  return rule(
    'isInteger',
    (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min,
    `must be an integer ≥ ${min}`,
    // Safe integers only: beyond 2^53 a JSON number no longer round-trips through a double.
    {
      type: 'integer',
      minimum: Math.max(min, Number.MIN_SAFE_INTEGER),
      maximum: Number.MAX_SAFE_INTEGER,
    },
  );
}

export function IsFlag(): PropertyDecorator {
  return rule('isFlag', (v) => typeof v === 'boolean', 'must be a boolean', { type: 'boolean' });
}

/**
 * A full timestamp with a zone: `2025-01-31T12:00:00Z`, `…T12:00:00.123+01:00`.
 * Date-only strings are refused: every `*_at` is an instant. Fields are range-checked
 * (hour 00-23, no leap second, offsets up to ±23:59) so that, with the calendar check in
 * {@link isTimestamp}, a timestamp is exactly what JSON Schema's `format: date-time`
 * (RFC 3339) and this pattern accept together; `Date.parse` alone would take
 * `2025-02-30` (as 2 March) and `24:00:00`.
 */
export const TIMESTAMP_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `YYYY-MM-DD` (already range-checked by the pattern) is a day of the calendar. */
function isCalendarDay(year: number, month: number, day: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= days;
}

export function isTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    TIMESTAMP_PATTERN.test(value) &&
    isCalendarDay(
      Number(value.slice(0, 4)),
      Number(value.slice(5, 7)),
      Number(value.slice(8, 10)),
    ) &&
    // Every reader turns it into a Date; make sure that works.
    !Number.isNaN(Date.parse(value))
  );
}

export function IsTimestamp(): PropertyDecorator {
  return rule(
    'isTimestamp',
    isTimestamp,
    'must be an ISO-8601 timestamp with a zone (e.g. 2025-01-31T12:00:00.000Z)',
    new SchemaHint(() => ({
      type: 'string',
      format: 'date-time',
      pattern: schemaPattern(TIMESTAMP_PATTERN),
    })),
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
    {
      type: 'object',
      maxProperties: options.maxKeys,
      // The one open object in a payload: validatePlain's reserved keys must be refused here,
      // everywhere else `additionalProperties: false` already refuses them.
      propertyNames: {
        type: 'string',
        minLength: 1,
        maxLength: options.maxKeyLength,
        not: { enum: [...RESERVED_KEYS] },
      },
      additionalProperties: {
        anyOf: [
          { type: 'string', maxLength: options.maxStringLength },
          { type: 'number' },
          ...(options.allowBoolean ? [{ type: 'boolean' as const }] : []),
        ],
      },
    },
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
    new SchemaHint((ref) => ({
      type: 'array',
      ...(minItems > 0 ? { minItems } : {}),
      maxItems,
      items: textSchema(maxLength, pattern).toSchema(ref),
    })),
  );
}

/** A nested object validated (and whitelisted) as an instance of `cls`. */
export function IsNested(cls: () => Constructor): PropertyDecorator {
  const type = Type(cls);
  const nested = ValidateNested();
  const shape = rule(
    'isObject',
    isPlainObjectOrInstance,
    'must be an object',
    new SchemaHint((ref) => ref(cls())),
  );
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
    new SchemaHint((ref) => ({
      type: 'array',
      ...(minItems > 0 ? { minItems } : {}),
      maxItems: options.maxItems,
      items: ref(cls()),
    })),
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
