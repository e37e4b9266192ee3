import { valueRule } from '@opscrew/contracts';
import { validateCronExpression } from 'cron';
import { compose, type FieldOptions } from './field.rule';
import { isPlainObject } from './plain-object';

/** String-valued config: lists, maps of strings, cron expressions, URLs. */

type Decorator = PropertyDecorator;

/**
 * A list of non-empty strings. `minSize` refuses a list too short to mean anything (an empty
 * list of error classes would read every request as a success); `unique` refuses repeats.
 */
export function StrList(
  options?: FieldOptions & {
    pattern?: RegExp;
    hint?: string;
    values?: readonly string[];
    minSize?: number;
    unique?: boolean;
  },
): Decorator {
  const allowed = options?.values;
  const minSize = options?.minSize ?? 0;
  /** The first problem with the list, or null when it is valid. */
  const problem = (value: unknown): string | null => {
    if (!Array.isArray(value)) return 'must be a list of strings';
    if (value.length < minSize) return `must list at least ${minSize} item(s)`;
    for (const [index, item] of value.entries()) {
      if (typeof item !== 'string' || item.length === 0)
        return `[${index}] must be a non-empty string`;
      if (allowed && !allowed.includes(item))
        return `[${index}] must be one of ${allowed.join(', ')} (got "${item}")`;
      if (options?.pattern && !options.pattern.test(item))
        return `[${index}] ${options.hint ?? 'is not allowed'} (got "${item}")`;
      if (options?.unique && value.indexOf(item) !== index)
        return `[${index}] repeats "${item}" (listed at [${value.indexOf(item)}])`;
    }
    return null;
  };
  return compose(
    options,
    valueRule(
      'stringList',
      (value) => problem(value) === null,
      (value) => problem(value) ?? 'must be a list of strings',
    ),
  );
}

export function Cron(options?: FieldOptions): Decorator {
  return compose(
    options,
    valueRule(
      'cron',
      (value) => typeof value === 'string' && validateCronExpression(value).valid,
      (value) => {
        if (typeof value !== 'string') return 'must be a cron expression string';
        const error = validateCronExpression(value).error;
        return `invalid cron expression "${value}": ${error?.message ?? 'unparseable'} (5 fields: min hour day month weekday, or 6 with seconds first)`;
      },
    ),
  );
}

/** Whether `zone` names an IANA time zone this runtime knows (`Asia/Seoul`, `UTC`, `Europe/Berlin`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA time zone name. Only names: an offset such as `+09:00` is refused, because a fixed
 * offset would silently skip daylight-saving changes of the place it was meant for.
 */
export function TimeZone(options?: FieldOptions): Decorator {
  return compose(
    options,
    valueRule(
      'timeZone',
      (value) => typeof value === 'string' && /^[A-Za-z]/.test(value) && isTimeZone(value),
      (value) =>
        typeof value !== 'string'
          ? 'must be an IANA time zone name string'
          : `unknown time zone "${value}" (an IANA name such as "Asia/Seoul", "Europe/Berlin" or "UTC"; not an offset)`,
    ),
  );
}

export function Url(options?: FieldOptions & { protocols?: readonly string[] }): Decorator {
  const protocols = options?.protocols ?? ['http:', 'https:'];
  return compose(
    options,
    valueRule(
      'url',
      (value) => {
        if (typeof value !== 'string') return false;
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.map((p) => p.replace(':', '')).join(', ')})`,
    ),
  );
}

/**
 * A map of string → string (environment blocks, labels, headers). `values` restricts the
 * values to a vocabulary (an alertname → symptom map may only name known symptoms).
 */
export function StrRecord(
  options?: FieldOptions & { keyPattern?: RegExp; keyHint?: string; values?: readonly string[] },
): Decorator {
  const allowed = options?.values;
  const badValue = (item: unknown): boolean =>
    typeof item !== 'string' || (allowed !== undefined && !allowed.includes(item));
  return compose(
    options,
    valueRule(
      'stringRecord',
      (value) =>
        isPlainObject(value) &&
        Object.entries(value).every(
          ([key, item]) =>
            !badValue(item) && (!options?.keyPattern || options.keyPattern.test(key)),
        ),
      (value) => {
        if (!isPlainObject(value)) return 'must be an object of string values';
        const [badKey, bad] =
          Object.entries(value).find(
            ([key, item]) =>
              badValue(item) || (options?.keyPattern && !options.keyPattern.test(key)),
          ) ?? [];
        if (badKey !== undefined && options?.keyPattern && !options.keyPattern.test(badKey)) {
          return `key "${badKey}" ${options.keyHint ?? 'is not allowed'}`;
        }
        if (typeof bad === 'string' && allowed !== undefined)
          return `${String(badKey)} must be one of ${allowed.join(', ')} (got "${bad}")`;
        return `${String(badKey)} must be a string`;
      },
    ),
  );
}
