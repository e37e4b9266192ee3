import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';

export type ClassType<T extends object> = new () => T;

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Keys that would reach the prototype chain when class-transformer copies an
 * object; refused before any transformation happens.
 */
export const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(RESERVED_KEYS);

/** How deep a payload may nest; ours nest two levels, this only stops pathological input. */
const MAX_DEPTH = 16;

/**
 * Validates an already-parsed JSON value against a class-validator class:
 * strict (unknown keys rejected, no type coercion). The failure reason is one
 * line: `path: message; path: message`.
 */
export function validatePlain<T extends object>(cls: ClassType<T>, plain: unknown): Validated<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, reason: `must be a JSON object, got ${describeJsonType(plain)}` };
  }
  const unsafe = findForbiddenKey(plain, '', 0);
  if (unsafe !== null) {
    return { ok: false, reason: unsafe };
  }
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) {
    return { ok: false, reason: formatValidationErrors(errors) };
  }
  return { ok: true, value: instance };
}

/** `a.b: message, message; c: message` from class-validator's error tree. */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  const lines: string[] = [];
  const walk = (list: readonly ValidationError[], parent: string): void => {
    for (const error of list) {
      const path = parent === '' ? error.property : `${parent}.${error.property}`;
      const constraints = Object.entries(error.constraints ?? {});
      // class-validator's own "nested property must be an object" is noise next to our shape rule.
      const own = constraints.filter(([name]) => !GENERIC_CONSTRAINTS.has(name));
      const messages = (own.length > 0 ? own : constraints).map(([name, message]) =>
        describeConstraint(name, message),
      );
      const unique = [...new Set(messages)];
      if (unique.length > 0) {
        lines.push(`${path}: ${unique.join(', ')}`);
      }
      if (error.children && error.children.length > 0) {
        walk(error.children, path);
      }
    }
  };
  walk(errors, '');
  return lines.join('; ');
}

const GENERIC_CONSTRAINTS = new Set(['nestedValidation', 'unknownValue']);

function describeConstraint(name: string, message: string): string {
  switch (name) {
    case 'whitelistValidation':
      return 'is not allowed (unknown key)';
    case 'nestedValidation':
      return 'must be an object';
    case 'unknownValue':
      return 'must be an object';
    default:
      return message;
  }
}

/** The first reserved key (or nesting past MAX_DEPTH) in a value, as `path: message`; null when none. */
export function findForbiddenKey(value: unknown, path: string, depth: number): string | null {
  if (typeof value !== 'object' || value === null) {
    return null;
  }
  if (depth > MAX_DEPTH) {
    return `${path || 'payload'}: nested deeper than ${MAX_DEPTH} levels`;
  }
  for (const key of Object.keys(value)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) {
      return `${here}: is not allowed (reserved key)`;
    }
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (found !== null) {
      return found;
    }
  }
  return null;
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
