// Over ~300 lines: a catalogue of payload mutations for the fuzz sweep (each a few lines); splitting it
// would scatter one list.
import { type JsonSchema } from '../json-schema.types';

/** One changed message body, as JSON text (so reserved keys like `__proto__` survive as keys). */
export interface Mutation {
  /** What was changed where, for the failure message: `evidence.window_s = -1`. */
  readonly label: string;
  readonly body: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/**
 * Mutations of a valid example: every field dropped, replaced by values of every JSON type,
 * by values on and just past each bound the schema declares, by strings that break patterns
 * and by broken timestamps; unknown and reserved keys added to every object; arrays emptied,
 * filled past their bound and given bad items. The schema only picks interesting values (its
 * bounds); whether each mutation is valid is for the schema and the parser to say.
 */
export function mutationsOf(
  example: Readonly<Record<string, unknown>>,
  schema: JsonSchema,
): Mutation[] {
  const root = example as { [key: string]: Json };
  const out: Mutation[] = [];
  const add = (label: string, value: Json): void => {
    out.push({ label, body: JSON.stringify(value) });
  };
  for (const value of WHOLE_BODY_REPLACEMENTS) add(`body = ${JSON.stringify(value)}`, value);
  visit(
    root,
    [],
    [schema],
    schema,
    (path, value) => add(`${label(path)} = ${short(value)}`, replaceAt(root, path, value)),
    (path) => add(`drop ${label(path)}`, dropAt(root, path)),
    (path, key, value) =>
      add(`${label([...path, key])} added = ${short(value)}`, insertAt(root, path, key, value)),
  );
  return out;
}

const WHOLE_BODY_REPLACEMENTS: readonly Json[] = [null, [], 'x', 1, true, {}];

const ANY_TYPE: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  0.5,
  -0.5,
  1.5,
  2 ** 53,
  -(2 ** 53),
  1e308,
  5e-324,
  '',
  ' ',
  'x',
  'A b',
  '\n',
  'ünïcödé',
  '😀',
  [],
  [1],
  ['x'],
  [{}],
  {},
  { x: 1 },
];

/** Right and wrong RFC 3339 / ISO-8601 shapes: calendar, clock, zone, case, precision. */
export const TIMESTAMP_PROBES: readonly string[] = [
  '2025-01-31T12:00:00Z',
  '2025-01-31T12:00:00.123456789+01:00',
  '2024-02-29T00:00:00Z',
  '2000-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2025-02-29T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-04-31T12:00:00Z',
  '2025-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00Z',
  '2025-13-01T00:00:00Z',
  '2025-00-10T00:00:00Z',
  '2025-01-00T00:00:00Z',
  '2025-01-32T00:00:00Z',
  '2025-01-31T24:00:00Z',
  '2025-01-31T23:60:00Z',
  '2025-01-31T23:59:60Z',
  '2025-01-31t12:00:00z',
  '2025-01-31T12:00:00z',
  '2025-01-31T12:00:00',
  '2025-01-31',
  '2025-01-31 12:00:00Z',
  '2025-01-31T12:00Z',
  '2025-01-31T12:00:00.Z',
  '2025-01-31T12:00:00,5Z',
  '2025-01-31T12:00:00.1234567891Z',
  '2025-01-31T12:00:00+0100',
  '2025-01-31T12:00:00+01',
  '2025-01-31T12:00:00+24:00',
  '2025-01-31T12:00:00-23:59',
  '2025-01-31T12:00:00+12:60',
  '12025-01-31T12:00:00Z',
  '2025-1-31T12:00:00Z',
  '2025-01-31T12:00:00Z\n',
];

/** Schema keywords that apply at one place of a message, collected through $ref/anyOf/allOf. */
interface Here {
  readonly schemas: readonly JsonSchema[];
}

function visit(
  value: Json,
  path: Path,
  schemas: readonly JsonSchema[],
  root: JsonSchema,
  replace: (path: Path, value: Json) => void,
  drop: (path: Path) => void,
  insert: (path: Path, key: string, value: Json) => void,
): void {
  const here: Here = { schemas: expand(schemas, root) };
  if (path.length > 0) {
    for (const candidate of replacements(value, here)) replace(path, candidate);
  }
  if (Array.isArray(value)) {
    if (path.length > 0) arrayMutations(value, path, here, replace);
    const items = here.schemas.flatMap((s) => (s.items === undefined ? [] : [s.items]));
    value.forEach((item, index) =>
      visit(item, [...path, index], items, root, replace, drop, insert),
    );
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, candidate] of extraKeys(here)) insert(path, key, candidate);
    if (path.length > 0) recordMutations(value, path, here, replace);
    for (const [key, item] of Object.entries(value)) {
      const child = here.schemas.flatMap((s) => {
        const own = s.properties?.[key];
        if (own !== undefined) return [own];
        return typeof s.additionalProperties === 'object' ? [s.additionalProperties] : [];
      });
      drop([...path, key]);
      visit(item, [...path, key], child, root, replace, drop, insert);
    }
  }
}

function expand(schemas: readonly JsonSchema[], root: JsonSchema): JsonSchema[] {
  const out: JsonSchema[] = [];
  const walk = (schema: JsonSchema): void => {
    out.push(schema);
    if (schema.$ref !== undefined) {
      const name = schema.$ref.replace('#/definitions/', '');
      const target = root.definitions?.[name];
      if (target !== undefined) walk(target);
    }
    for (const part of [...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) walk(part);
  };
  schemas.forEach(walk);
  return out;
}

function numbers(here: Here, pick: (s: JsonSchema) => number | undefined): number[] {
  return here.schemas.flatMap((s) => {
    const n = pick(s);
    return n === undefined ? [] : [n];
  });
}

function replacements(value: Json, here: Here): Json[] {
  const out: Json[] = [...ANY_TYPE];
  for (const max of numbers(here, (s) => s.maxLength)) {
    out.push(
      'a'.repeat(max),
      'a'.repeat(max + 1),
      'é'.repeat(max),
      '😀'.repeat(Math.ceil(max / 2) + 1),
    );
    if (typeof value === 'string' && value.length > 0) {
      const last = value.charAt(value.length - 1);
      out.push(value.padEnd(max, last), value.padEnd(max + 1, last));
    }
  }
  for (const values of here.schemas.flatMap((s) => (s.enum === undefined ? [] : [s.enum]))) {
    out.push(...values, 'unknown');
    for (const v of values) if (typeof v === 'string') out.push(v.toUpperCase(), `${v} `);
  }
  if (here.schemas.some((s) => s.format === 'date-time') || isTimestampLike(value)) {
    out.push(...TIMESTAMP_PROBES);
  }
  if (typeof value === 'string') out.push(...stringVariants(value));
  if (typeof value === 'number') {
    out.push(value + 0.5, -value, value - 1, value + 1, Math.round(value) + 1e-9);
    for (const n of numbers(here, (s) => s.minimum)) out.push(n, n - 1, n - 0.5, n + 0.5);
    for (const n of numbers(here, (s) => s.exclusiveMinimum)) out.push(n, n + 1e-9, n - 1e-9);
    for (const n of numbers(here, (s) => s.maximum)) out.push(n, n + 1, n - 0.5);
  }
  return out;
}

function stringVariants(value: string): string[] {
  return [
    `${value} `,
    ` ${value}`,
    `${value}\n`,
    `${value}\t`,
    value.replace(/./, '.'),
    value.replace(/./, '-'),
    `_${value}`,
    `${value}_`,
    `${value}__x`,
    `${value}.x`,
    `${value}:x`,
    `${value}/x`,
    `${value}é`,
    `${value}😀`,
    value.toUpperCase(),
    value.toLowerCase(),
    value.slice(1),
    value.slice(0, -1),
    `0${value}`,
    `${value}0`,
    value.replace(/-/g, ''),
  ];
}

function isTimestampLike(value: Json): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value);
}

function arrayMutations(
  value: Json[],
  path: Path,
  here: Here,
  replace: (path: Path, value: Json) => void,
): void {
  const first = value[0] ?? 'x';
  replace(path, []);
  value.forEach((_item, index) =>
    replace(
      path,
      value.filter((_v, i) => i !== index),
    ),
  );
  replace(path, [...value, null]);
  replace(path, [...value, 1]);
  replace(path, [...value, first]);
  replace(path, [...value, [first]]);
  for (const max of numbers(here, (s) => s.maxItems)) {
    replace(
      path,
      Array.from({ length: max }, () => first),
    );
    replace(
      path,
      Array.from({ length: max + 1 }, () => first),
    );
  }
}

function extraKeys(here: Here): [string, Json][] {
  const out: [string, Json][] = [
    ['extra', 1],
    ['__proto__', { polluted: true }],
    ['constructor', 'x'],
    ['prototype', 1],
    ['', 1],
    ['x', { nested: 1 }],
    ['y', [1]],
    ['z', true],
    ['w', null],
  ];
  for (const names of here.schemas.flatMap((s) =>
    s.propertyNames === undefined ? [] : [s.propertyNames],
  )) {
    if (names.maxLength !== undefined) {
      out.push(['k'.repeat(names.maxLength), 1], ['k'.repeat(names.maxLength + 1), 1]);
    }
  }
  for (const open of here.schemas.flatMap((s) =>
    typeof s.additionalProperties === 'object' ? [s.additionalProperties] : [],
  )) {
    for (const max of numbers({ schemas: expand([open], {}) }, (s) => s.maxLength)) {
      out.push(['long', 's'.repeat(max)], ['longer', 's'.repeat(max + 1)]);
    }
  }
  return out;
}

function recordMutations(
  value: { [key: string]: Json },
  path: Path,
  here: Here,
  replace: (path: Path, value: Json) => void,
): void {
  for (const max of numbers(here, (s) => s.maxProperties)) {
    const filled: { [key: string]: Json } = { ...value };
    for (let i = 0; Object.keys(filled).length < max; i++) filled[`k${i}`] = i;
    replace(path, filled);
    replace(path, { ...filled, overflow: 1 });
  }
}

function replaceAt(root: Json, path: Path, value: Json): Json {
  return update(root, path, () => ({ keep: true, value }));
}

function dropAt(root: Json, path: Path): Json {
  return update(root, path, () => ({ keep: false }));
}

function insertAt(root: Json, path: Path, key: string, value: Json): Json {
  return update(root, path, (current) => {
    const copy: { [key: string]: Json } = { ...(current as { [key: string]: Json }) };
    // Defined, not assigned: `copy.__proto__ = …` would set the prototype, not add a key.
    Object.defineProperty(copy, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return { keep: true, value: copy };
  });
}

type Change = { keep: true; value: Json } | { keep: false };

/** A copy of `root` with the value at `path` changed (or removed); `root` is not touched. */
function update(root: Json, path: Path, change: (current: Json) => Change): Json {
  const [head, ...rest] = path;
  if (head === undefined) {
    const result = change(root);
    return result.keep ? result.value : null;
  }
  if (Array.isArray(root) && typeof head === 'number') {
    const copy = [...root];
    const current = copy[head] ?? null;
    if (rest.length === 0) {
      const result = change(current);
      if (result.keep) copy[head] = result.value;
      else copy.splice(head, 1);
      return copy;
    }
    copy[head] = update(current, rest, change);
    return copy;
  }
  if (
    root !== null &&
    typeof root === 'object' &&
    !Array.isArray(root) &&
    typeof head === 'string'
  ) {
    const copy: { [key: string]: Json } = { ...root };
    const current = copy[head] ?? null;
    if (rest.length === 0) {
      const result = change(current);
      if (result.keep) copy[head] = result.value;
      else delete copy[head];
      return copy;
    }
    copy[head] = update(current, rest, change);
    return copy;
  }
  throw new Error(`no ${String(head)} under ${JSON.stringify(root)}`);
}

function label(path: Path): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

function short(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…(${text.length})` : text;
}
