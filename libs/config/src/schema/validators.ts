// class-transformer's @Type and Nest DI read design-time types through the Reflect metadata API.
import 'reflect-metadata';
import { valueRule } from '@opscrew/contracts';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { compose, type FieldOptions } from './field.rule';

/**
 * Property decorators with the messages users read in `opscrew config check`.
 *
 * class-validator's defaults repeat the property name ("x must be a number
 * conforming to the specified constraints"); our lines already carry the path,
 * so each message says only what is wrong and, for units, what was probably meant.
 * Units are part of names: `_ms`, `_s`, `_minutes`, `_ratio`, `_percent`, `_rps`.
 */

export { type FieldOptions } from './field.rule';
export * from './unit.validators';
export * from './text.validators';
export { isPlainObject } from './plain-object';

type Decorator = PropertyDecorator;

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

/** A nested object validated by its own class. */
export function Nested(type: () => new () => object, options?: FieldOptions): Decorator {
  return compose(
    options,
    valueRule(
      'object',
      (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
      'must be an object',
    ),
    ValidateNested(),
    Type(type),
  );
}

/** The shape check of a list whose items are validated elsewhere (e.g. by a discriminated @Type). */
export function ListShape(minSize = 0): Decorator {
  return valueRule(
    'list',
    (value) => Array.isArray(value) && value.length >= minSize,
    listMessage(minSize),
  );
}

/** A list of objects, each validated by its class. */
export function NestedList(
  type: () => new () => object,
  options?: FieldOptions & { minSize?: number },
): Decorator {
  const minSize = options?.minSize ?? 0;
  return compose(
    options,
    valueRule(
      'objectList',
      (value) => Array.isArray(value) && value.length >= minSize,
      listMessage(minSize),
    ),
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
    valueRule(
      'map',
      (value) =>
        value instanceof Map &&
        [...value.keys()].every(
          (key: unknown) =>
            typeof key === 'string' &&
            (!options?.keyPattern || options.keyPattern.test(key)) &&
            (!options?.keys || options.keys.includes(key)),
        ),
      (value) => {
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
      { validation: { context: { knownKeys: options?.keys } } },
    ),
    ValidateNested({ each: true }),
    Type(type),
  );
}

function listMessage(minSize: number): string {
  return minSize > 0 ? `must be a list with at least ${minSize} item(s)` : 'must be a list';
}

/** Names of services, agents, runbooks: lowercase words joined by `-` or `_`. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
export const NAME_HINT = 'must be lowercase letters, digits, "-" or "_", starting with a letter';

export type { ValidationOptions };
