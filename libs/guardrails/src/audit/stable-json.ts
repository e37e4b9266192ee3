import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order) at every depth,
 * no whitespace, so the same input gives the same text — and digest — however
 * its keys were ordered when it was built.
 *
 * Follows JSON.stringify otherwise (`toJSON` is honoured, so a Date is its ISO
 * string; `undefined`, functions and symbols are dropped from objects and are
 * `null` in arrays; non-finite numbers are `null`), with three additions so
 * that different inputs cannot collide silently: a bigint is its decimal
 * string, a Map is its entries sorted by key, a Set its members sorted. A
 * cyclic input throws.
 */
export function stableJson(value: unknown): string {
  const out = serialise(value, new Set<object>());
  return out ?? 'null';
}

/** SHA-256 hex of stableJson(input): what the audit log keeps instead of the input. */
export function inputDigest(input: unknown): string {
  return createHash('sha256').update(stableJson(input), 'utf8').digest('hex');
}

/** undefined: "omit this member" (JSON.stringify's rule for undefined, functions, symbols). */
function serialise(value: unknown, ancestors: Set<object>): string | undefined {
  const v = withToJson(value);
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(v.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break;
  }
  if (v === null) return 'null';
  const obj = v;
  if (ancestors.has(obj)) throw new TypeError('stableJson: cyclic input');
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item: unknown) => serialise(item, ancestors) ?? 'null').join(',')}]`;
    }
    if (obj instanceof Map) {
      const entries = [...(obj as Map<unknown, unknown>).entries()].map(
        ([k, item]) =>
          [serialise(k, ancestors) ?? 'null', serialise(item, ancestors) ?? 'null'] as const,
      );
      entries.sort((a, b) => compare(a[0], b[0]));
      return `[${entries.map(([k, item]) => `[${k},${item}]`).join(',')}]`;
    }
    if (obj instanceof Set) {
      const members = [...(obj as Set<unknown>)].map((m) => serialise(m, ancestors) ?? 'null');
      members.sort(compare);
      return `[${members.join(',')}]`;
    }
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort(compare)) {
      const item = serialise(record[key], ancestors);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(obj);
  }
}

function withToJson(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    'toJSON' in value &&
    typeof value.toJSON === 'function'
  ) {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  return value;
}

/** Plain code-unit order (not localeCompare): the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
