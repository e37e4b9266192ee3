// class-transformer's @Type and Nest DI read design-time types through the Reflect metadata API.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { validateCronExpression } from 'cron';

/**
 * Property decorators with the messages users read in `opscrew config check`.
 *
 * class-validator's defaults repeat the property name ("x must be a number
 * conforming to the specified constraints"); our lines already carry the path,
 * so each message says only what is wrong and, for units, what was probably meant.
 * Units are part of names: `_ms`, `_s`, `_minutes`, `_ratio`, `_percent`, `_rps`.
 */

export interface FieldOptions {
  /** Optional fields may be absent; present values are still validated. */
  readonly optional?: boolean;
}

type Decorator = PropertyDecorator;

function compose(options: FieldOptions | undefined, ...decorators: Decorator[]): Decorator {
  const presence = options?.optional ? IsOptional() : IsDefined({ message: 'is required' });
  return (target, key) => {
    presence(target, key);
    for (const decorator of decorators) decorator(target, key);
  };
}

function finiteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function numberRule(
  name: string,
  check: (value: number) => boolean,
  message: (value: unknown) => string,
): Decorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => finiteNumber(value) && check(value),
      defaultMessage: (args) => message(args?.value),
    },
  });
}

const MINUTE_MS = 60_000;

export function Str(
  options?: FieldOptions & { maxLength?: number; pattern?: RegExp; hint?: string },
): Decorator {
  const decorators: Decorator[] = [
    IsString({ message: 'must be a string' }),
    MinLength(1, { message: 'must not be empty' }),
  ];
  if (options?.maxLength) {
    decorators.push(
      MaxLength(options.maxLength, { message: `must be at most ${options.maxLength} characters` }),
    );
  }
  if (options?.pattern) {
    decorators.push(
      Matches(options.pattern, {
        message: options.hint ?? `must match ${String(options.pattern)}`,
      }),
    );
  }
  return compose(options, ...decorators);
}

export function Bool(options?: FieldOptions): Decorator {
  return compose(options, IsBoolean({ message: 'must be true or false' }));
}

export function OneOf(values: readonly string[], options?: FieldOptions): Decorator {
  return compose(
    options,
    IsIn([...values], {
      message: (args) => `must be one of ${values.join(', ')} (got ${JSON.stringify(args.value)})`,
    }),
  );
}

/** A whole number within bounds: counts, retries, ports, steps. */
export function Int(options?: FieldOptions & { min?: number; max?: number }): Decorator {
  const min = options?.min ?? 0;
  const max = options?.max ?? Number.MAX_SAFE_INTEGER;
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
  return compose(
    options,
    numberRule(
      'int',
      (v) => Number.isInteger(v) && v >= min && v <= max,
      () => `must be an integer ${range}`,
    ),
  );
}

/** A plain positive number without a unit (factors, multipliers, MAD counts). */
export function Factor(options?: FieldOptions & { min?: number }): Decorator {
  const min = options?.min ?? 0;
  return compose(
    options,
    numberRule(
      'factor',
      (v) => v > min,
      () => `must be a number greater than ${min}`,
    ),
  );
}

/**
 * Milliseconds. `latency` thresholds are capped at two minutes: the seed once
 * took 600,000 (µs read as ms) for a baseline, and no HTTP p99 threshold is that high.
 */
export function Ms(
  options?: FieldOptions & { latency?: boolean; allowZero?: boolean; max?: number },
): Decorator {
  const max = options?.max ?? (options?.latency ? 2 * MINUTE_MS : 60 * MINUTE_MS);
  const allowZero = options?.allowZero ?? false;
  return compose(
    options,
    numberRule(
      'milliseconds',
      (v) => (allowZero ? v >= 0 : v > 0) && v <= max,
      (value) => {
        if (finiteNumber(value) && value > max) {
          const hint = options?.latency
            ? ' (is this value in µs or ns? convert it to milliseconds)'
            : '';
          return `must be at most ${max} ms, got ${value} ms = ${formatDuration(value)}${hint}`;
        }
        return allowZero
          ? 'must be a number of milliseconds ≥ 0'
          : 'must be a positive number (milliseconds)';
      },
    ),
  );
}

export function Seconds(options?: FieldOptions & { allowZero?: boolean; max?: number }): Decorator {
  const max = options?.max ?? 7 * 24 * 3600;
  const allowZero = options?.allowZero ?? false;
  return compose(
    options,
    numberRule(
      'seconds',
      (v) => (allowZero ? v >= 0 : v > 0) && v <= max,
      (value) =>
        finiteNumber(value) && value > max
          ? `must be at most ${max} s, got ${value} s (is this in milliseconds?)`
          : allowZero
            ? 'must be a number of seconds ≥ 0'
            : 'must be a positive number (seconds)',
    ),
  );
}

export function Minutes(options?: FieldOptions): Decorator {
  return compose(
    options,
    numberRule(
      'minutes',
      (v) => v > 0 && v <= 7 * 24 * 60,
      () => 'must be a positive number of minutes (at most one week)',
    ),
  );
}

/** A fraction 0..1: error rates, availability, quality targets. 5 % is written 0.05. */
export function Ratio(options?: FieldOptions & { allowZero?: boolean }): Decorator {
  const allowZero = options?.allowZero ?? true;
  return compose(
    options,
    numberRule(
      'ratio',
      (v) => (allowZero ? v >= 0 : v > 0) && v <= 1,
      (value) =>
        finiteNumber(value) && value > 1 && value <= 100
          ? `must be a ratio between 0 and 1, got ${value} (a percentage? write ${value / 100})`
          : 'must be a ratio between 0 and 1',
    ),
  );
}

export function Percent(options?: FieldOptions): Decorator {
  return compose(
    options,
    numberRule(
      'percent',
      (v) => v >= 0 && v <= 100,
      (value) =>
        finiteNumber(value) && value > 100
          ? `must be a percentage between 0 and 100, got ${value}`
          : 'must be a percentage between 0 and 100',
    ),
  );
}

/** Requests per second. */
export function Rps(options?: FieldOptions): Decorator {
  return compose(
    options,
    numberRule(
      'rps',
      (v) => v >= 0,
      () => 'must be a rate in requests per second ≥ 0',
    ),
  );
}

export function StrList(
  options?: FieldOptions & { pattern?: RegExp; hint?: string; values?: readonly string[] },
): Decorator {
  const allowed = options?.values;
  return compose(
    options,
    ValidateBy({
      name: 'stringList',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every(
            (item) =>
              typeof item === 'string' &&
              item.length > 0 &&
              (!options?.pattern || options.pattern.test(item)) &&
              (!allowed || allowed.includes(item)),
          ),
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          if (!Array.isArray(value)) return 'must be a list of strings';
          const index = value.findIndex(
            (item) =>
              typeof item !== 'string' ||
              item.length === 0 ||
              (options?.pattern && !options.pattern.test(item)) ||
              (allowed && !allowed.includes(item)),
          );
          const bad: unknown = value[index];
          if (typeof bad !== 'string' || bad.length === 0)
            return `[${index}] must be a non-empty string`;
          if (allowed && !allowed.includes(bad))
            return `[${index}] must be one of ${allowed.join(', ')} (got "${bad}")`;
          return `[${index}] ${options?.hint ?? 'is not allowed'} (got "${bad}")`;
        },
      },
    }),
  );
}

export function Cron(options?: FieldOptions): Decorator {
  return compose(
    options,
    ValidateBy({
      name: 'cron',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && validateCronExpression(value).valid,
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          if (typeof value !== 'string') return 'must be a cron expression string';
          const error = validateCronExpression(value).error;
          return `invalid cron expression "${value}": ${error?.message ?? 'unparseable'} (5 fields: min hour day month weekday, or 6 with seconds first)`;
        },
      },
    }),
  );
}

export function Url(options?: FieldOptions & { protocols?: readonly string[] }): Decorator {
  const protocols = options?.protocols ?? ['http:', 'https:'];
  return compose(
    options,
    ValidateBy({
      name: 'url',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            return protocols.includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        defaultMessage: () =>
          `must be a URL (${protocols.map((p) => p.replace(':', '')).join(', ')})`,
      },
    }),
  );
}

/** A map of string → string (environment blocks, labels, headers). */
export function StrRecord(
  options?: FieldOptions & { keyPattern?: RegExp; keyHint?: string },
): Decorator {
  return compose(
    options,
    ValidateBy({
      name: 'stringRecord',
      validator: {
        validate: (value: unknown) =>
          isPlainObject(value) &&
          Object.entries(value).every(
            ([key, item]) =>
              typeof item === 'string' && (!options?.keyPattern || options.keyPattern.test(key)),
          ),
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          if (!isPlainObject(value)) return 'must be an object of string values';
          const [badKey] =
            Object.entries(value).find(
              ([key, item]) =>
                typeof item !== 'string' || (options?.keyPattern && !options.keyPattern.test(key)),
            ) ?? [];
          if (badKey !== undefined && options?.keyPattern && !options.keyPattern.test(badKey)) {
            return `key "${badKey}" ${options.keyHint ?? 'is not allowed'}`;
          }
          return `${String(badKey)} must be a string`;
        },
      },
    }),
  );
}

/** A nested object validated by its own class. */
export function Nested(type: () => new () => object, options?: FieldOptions): Decorator {
  return compose(
    options,
    ValidateBy({
      name: 'object',
      validator: {
        validate: (value: unknown) =>
          value !== null && typeof value === 'object' && !Array.isArray(value),
        defaultMessage: () => 'must be an object',
      },
    }),
    ValidateNested(),
    Type(type),
  );
}

/** The shape check of a list whose items are validated elsewhere (e.g. by a discriminated @Type). */
export function ListShape(minSize = 0): Decorator {
  return ValidateBy({
    name: 'list',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.length >= minSize,
      defaultMessage: () =>
        minSize > 0 ? `must be a list with at least ${minSize} item(s)` : 'must be a list',
    },
  });
}

/** A list of objects, each validated by its class. */
export function NestedList(
  type: () => new () => object,
  options?: FieldOptions & { minSize?: number },
): Decorator {
  const minSize = options?.minSize ?? 0;
  return compose(
    options,
    ValidateBy({
      name: 'objectList',
      validator: {
        validate: (value: unknown) => Array.isArray(value) && value.length >= minSize,
        defaultMessage: () =>
          minSize > 0 ? `must be a list with at least ${minSize} item(s)` : 'must be a list',
      },
    }),
    ValidateNested({ each: true }),
    Type(type),
  );
}

/**
 * A map keyed by name (service, agent, runbook…) whose values are validated by
 * a class. Maps, not arrays, so that keys beside `$include` can override one
 * entry (arrays would concatenate). `keyPattern` validates the names.
 */
export function NestedMap(
  type: () => new () => object,
  options?: FieldOptions & { keyPattern?: RegExp; keyHint?: string; keys?: readonly string[] },
): Decorator {
  return compose(
    options,
    ValidateBy(
      {
        name: 'map',
        validator: {
          validate: (value: unknown) =>
            value instanceof Map &&
            [...value.keys()].every(
              (key: unknown) =>
                typeof key === 'string' &&
                (!options?.keyPattern || options.keyPattern.test(key)) &&
                (!options?.keys || options.keys.includes(key)),
            ),
          defaultMessage: (args) => {
            const value: unknown = args?.value;
            if (!(value instanceof Map)) return 'must be an object keyed by name';
            const bad: unknown = [...(value as Map<unknown, unknown>).keys()].find(
              (key: unknown) =>
                typeof key !== 'string' ||
                (options?.keyPattern && !options.keyPattern.test(key)) ||
                (options?.keys && !options.keys.includes(key)),
            );
            if (options?.keys)
              return `unknown name "${String(bad)}" (known: ${options.keys.join(', ')})`;
            return `name "${String(bad)}" ${options?.keyHint ?? 'is not allowed'}`;
          },
        },
      },
      { context: { knownKeys: options?.keys } },
    ),
    ValidateNested({ each: true }),
    Type(type),
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Map)
  );
}

function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= MINUTE_MS) return `${(ms / MINUTE_MS).toFixed(1)} min`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Names of services, agents, runbooks: lowercase words joined by `-` or `_`. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
export const NAME_HINT = 'must be lowercase letters, digits, "-" or "_", starting with a letter';

export type { ValidationOptions };
