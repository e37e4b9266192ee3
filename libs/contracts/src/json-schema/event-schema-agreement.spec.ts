import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { parseEvent } from '../event-registry';
import { type EventDocsEntry, eventDocsEntries } from './event-docs.builder';
import { type Mutation, mutationsOf, TIMESTAMP_PROBES } from './testing/payload.mutations';

/**
 * The schemas in docs/events and the parser must give the same verdict on any message. Every
 * example is mutated in hundreds of ways (testing/payload.mutations.ts) and randomly (fast-check);
 * Ajv's verdict must equal parseEvent's for each, except where a rule cannot be written in JSON
 * Schema. Those cases are recognised one by one below, and each must then differ in exactly the
 * documented way (the schema accepts, the parser refuses, for that reason only).
 */

interface Verdicts {
  readonly schema: boolean;
  readonly parser: boolean;
  /** Why the parser refused, when it did. */
  readonly reason: string;
}

interface Checker {
  readonly entry: EventDocsEntry;
  check(body: string): Verdicts;
  /** The documented gap this disagreement is, or undefined when it is a real drift. */
  explain(body: string, verdicts: Verdicts): string | undefined;
}

function checkerFor(entry: EventDocsEntry): Checker {
  const validate = addFormats(new Ajv()).compile(entry.schema);
  const verdict = (fn: ValidateFunction, body: string): boolean => fn(JSON.parse(body) as unknown);
  const [family, token] = splitFamily(entry);
  return {
    entry,
    check(body) {
      const parsed = parseEvent(entry.exampleSubject, body);
      return {
        schema: verdict(validate, body),
        parser: parsed.ok,
        reason: parsed.ok ? '' : parsed.reason,
      };
    },
    explain(body, verdicts) {
      if (!verdicts.schema || verdicts.parser) return undefined;
      // Gap 1: a family's token field must equal the subject's last token. The schema cannot
      // see the subject; its description says so.
      if (family !== undefined && verdicts.reason === tokenReason(entry, family, token)) {
        return 'family token';
      }
      // Gap 2: the parser counts UTF-16 code units, JSON Schema counts characters, so text with
      // characters outside the BMP can fit maxLength and still be too long for the parser.
      // Witness: with each such character spelled as two BMP characters (same UTF-16 length,
      // same UTF-8 bytes), the schema refuses too.
      const astral = /[\u{10000}-\u{10FFFF}]/gu;
      if (astral.test(body) && !verdict(validate, body.replace(astral, 'éé'))) {
        return 'UTF-16 length';
      }
      // Gap 3: deadletter `raw` is bounded in UTF-8 bytes; maxLength (characters) is only the
      // outer bound. Multi-byte text under maxLength can still be too many bytes.
      if (
        verdicts.reason ===
        `${entry.exampleSubject}: raw: must be a string of at most 4096 UTF-8 bytes`
      ) {
        return 'UTF-8 bytes';
      }
      return undefined;
    },
  };
}

function splitFamily(entry: EventDocsEntry): [string | undefined, string] {
  if (entry.subject === entry.exampleSubject) return [undefined, ''];
  const field = /<([a-z]+)>$/.exec(entry.subject)?.[1];
  return [field, entry.exampleSubject.slice(entry.exampleSubject.indexOf('.') + 1)];
}

function tokenReason(entry: EventDocsEntry, field: string, token: string): string {
  return `${entry.exampleSubject}: ${field}: must match the subject token "${token}"`;
}

interface Tally {
  agreed: number;
  gaps: Map<string, number>;
  drifts: string[];
}

function judge(checker: Checker, mutation: Mutation, tally: Tally): void {
  const verdicts = checker.check(mutation.body);
  if (verdicts.schema === verdicts.parser) {
    tally.agreed++;
    return;
  }
  const gap = checker.explain(mutation.body, verdicts);
  if (gap !== undefined) {
    tally.gaps.set(gap, (tally.gaps.get(gap) ?? 0) + 1);
    return;
  }
  tally.drifts.push(
    `${checker.entry.subject}: ${mutation.label}: schema ${verdicts.schema ? 'accepts' : 'refuses'}, ` +
      `parser ${verdicts.parser ? 'accepts' : `refuses (${verdicts.reason})`}`,
  );
}

const entries = eventDocsEntries();
const totals = { mutations: 0, random: 0, gaps: new Map<string, number>() };

describe('event schemas agree with parseEvent', () => {
  afterAll(() => {
    // The numbers quoted in reviews: how much the agreement below rests on.
    const gaps = [...totals.gaps].map(([gap, n]) => `${gap} ${n}`).join(', ');
    process.stdout.write(
      `event schema agreement: ${totals.mutations} mutations, ${totals.random} random messages; ` +
        `documented gaps: ${gaps || 'none'}\n`,
    );
  });

  describe.each(entries.map((e) => [e.subject, e] as const))('%s', (_subject, entry) => {
    const checker = checkerFor(entry);

    it('on every systematic mutation of the example', () => {
      const mutations = mutationsOf(entry.example, entry.schema);
      const tally: Tally = { agreed: 0, gaps: new Map(), drifts: [] };
      for (const mutation of mutations) judge(checker, mutation, tally);
      totals.mutations += mutations.length;
      for (const [gap, n] of tally.gaps) totals.gaps.set(gap, (totals.gaps.get(gap) ?? 0) + n);
      expect(tally.drifts).toEqual([]);
      // A mutation set that stopped reaching the fields would agree trivially.
      expect(mutations.length).toBeGreaterThan(300);
      expect(tally.agreed).toBeGreaterThan(mutations.length * 0.95);
    });

    it('on random values at random places (fast-check)', () => {
      const paths = leafPaths(entry.example);
      const anyValue = fc.oneof(
        fc.jsonValue(),
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 300 }),
        fc.stringMatching(/^[A-Za-z0-9_.:-]{1,70}$/),
        fc.double(),
        fc.integer(),
        fc.constantFrom(...TIMESTAMP_PROBES),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      );
      const message = fc.record({
        at: fc.constantFrom(...paths),
        value: anyValue,
        extra: fc.option(fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()), { freq: 4 }),
      });
      const tally: Tally = { agreed: 0, gaps: new Map(), drifts: [] };
      let runs = 0;
      fc.assert(
        fc.property(message, ({ at, value, extra }) => {
          runs++;
          const body = setPath(entry.example, at, value, extra);
          judge(checker, { label: `${at.join('.')} = ${body}`, body }, tally);
          return tally.drifts.length === 0;
        }),
        { numRuns: 400, seed: 20250131 },
      );
      totals.random += runs;
      expect(tally.drifts).toEqual([]);
    });
  });

  it('each documented gap is real (so the exclusions above cannot hide a drift)', () => {
    const byFile = new Map(entries.map((e) => [e.file, checkerFor(e)]));
    const cases: [string, Record<string, unknown>, string][] = [
      ['report.kind', { kind: 'weekly' }, 'family token'],
      ['heartbeat.agent', { agent: 'atlas' }, 'family token'],
      ['incident.reported', { summary: '😀'.repeat(1001) }, 'UTF-16 length'],
      ['deadletter.consumer', { raw: 'é'.repeat(2049) }, 'UTF-8 bytes'],
    ];
    for (const [file, change, gap] of cases) {
      const checker = byFile.get(file);
      if (checker === undefined) throw new Error(`no schema ${file}`);
      const body = JSON.stringify({ ...checker.entry.example, ...change });
      const verdicts = checker.check(body);
      expect({ file, ...verdicts, gap: checker.explain(body, verdicts) }).toEqual({
        file,
        schema: true,
        parser: false,
        reason: expect.any(String),
        gap,
      });
    }
  });
});

type Key = string | number;

/** Every path to a value in the example (objects and arrays included, the root excluded). */
function leafPaths(value: unknown, path: readonly Key[] = []): Key[][] {
  const out: Key[][] = path.length > 0 ? [[...path]] : [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...leafPaths(item, [...path, i])));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push(...leafPaths(item, [...path, key]));
  }
  return out;
}

/** The example as JSON text with `value` at `path` and maybe one extra key beside it. */
function setPath(
  example: Readonly<Record<string, unknown>>,
  path: readonly Key[],
  value: unknown,
  extra: [string, unknown] | null,
): string {
  const copy = JSON.parse(JSON.stringify(example)) as Record<string, unknown>;
  let parent: Record<Key, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<Key, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) parent[last] = value;
  if (extra !== null) {
    Object.defineProperty(parent, extra[0], {
      value: extra[1],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return JSON.stringify(copy);
}
