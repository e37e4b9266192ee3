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
  return serialise(value) ?? 'null';
}

/** SHA-256 hex of stableJson(input): what the audit log keeps instead of the input. */
export function inputDigest(input: unknown): string {
  return createHash('sha256').update(stableJson(input), 'utf8').digest('hex');
}

/**
 * An object being serialised: its children (array items, Map keys and values
 * in turn, Set members, object values in key order), how many have been
 * started, their texts so far, and how to join them.
 */
interface Frame {
  readonly obj: object;
  readonly children: readonly unknown[];
  index: number;
  readonly results: (string | undefined)[];
  readonly finish: (results: readonly (string | undefined)[]) => string;
}

/**
 * undefined: "omit this member" (JSON.stringify's rule for undefined, functions, symbols).
 * Iterative, with an explicit stack: the input is data, and 20 000 nested
 * arrays once overflowed the call stack (the audit record was lost).
 */
function serialise(root: unknown): string | undefined {
  const ancestors = new Set<object>();
  const stack: Frame[] = [];
  let pending: { readonly value: unknown } | null = { value: root };
  for (;;) {
    let text: string | undefined;
    let completed = false;
    if (pending !== null) {
      const v = withToJson(pending.value);
      pending = null;
      if (typeof v === 'object' && v !== null) {
        if (ancestors.has(v)) throw new TypeError('stableJson: cyclic input');
        ancestors.add(v);
        stack.push(frameOf(v));
      } else {
        text = scalar(v);
        completed = true;
      }
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      if (top.index < top.children.length) {
        pending = { value: top.children[top.index] };
        top.index += 1;
        continue;
      }
      stack.pop();
      ancestors.delete(top.obj);
      text = top.finish(top.results);
      completed = true;
    }
    if (completed) {
      const parent = stack[stack.length - 1];
      if (parent === undefined) return text;
      parent.results.push(text);
    }
  }
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(v.toString());
    default:
      // null; undefined, functions and symbols are omitted (undefined).
      return v === null ? 'null' : undefined;
  }
}

function frameOf(obj: object): Frame {
  const base = { obj, index: 0, results: [] as (string | undefined)[] };
  if (Array.isArray(obj)) {
    const items = obj as unknown[];
    // Index access, not map: a hole is null, as JSON.stringify writes it.
    const children = Array.from({ length: items.length }, (_, i) => items[i]);
    return { ...base, children, finish: (r) => `[${r.map((t) => t ?? 'null').join(',')}]` };
  }
  if (obj instanceof Map) {
    const children = [...(obj as Map<unknown, unknown>).entries()].flat();
    return {
      ...base,
      children,
      finish: (r) => {
        const entries: (readonly [string, string])[] = [];
        for (let i = 0; i < r.length; i += 2) entries.push([r[i] ?? 'null', r[i + 1] ?? 'null']);
        entries.sort((a, b) => compare(a[0], b[0]));
        return `[${entries.map(([k, item]) => `[${k},${item}]`).join(',')}]`;
      },
    };
  }
  if (obj instanceof Set) {
    const children = [...(obj as Set<unknown>)];
    return {
      ...base,
      children,
      finish: (r) =>
        `[${r
          .map((t) => t ?? 'null')
          .sort(compare)
          .join(',')}]`,
    };
  }
  const record = obj as Record<string, unknown>;
  const keys = Object.keys(record).sort(compare);
  return {
    ...base,
    children: keys.map((key) => record[key]),
    finish: (r) => {
      const parts: string[] = [];
      r.forEach((item, i) => {
        if (item !== undefined) parts.push(`${JSON.stringify(keys[i])}:${item}`);
      });
      return `{${parts.join(',')}}`;
    },
  };
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
