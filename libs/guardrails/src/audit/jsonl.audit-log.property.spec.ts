import { type AuditEntry } from '@opscrew/ports';
import { bigHostileString, hostileString, ManualClock } from '@opscrew/testing';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuditRecord, JsonlAuditLog } from './jsonl.audit-log';
import { stableJson } from './stable-json';

const at = new Date('2026-11-24T10:00:00.000Z');

function entryOf(text: fc.Arbitrary<string>): fc.Arbitrary<AuditEntry> {
  return fc.record({
    agent: text,
    action: text,
    verdict: fc.constantFrom('allowed' as const, 'refused' as const),
    result: text,
    input: fc.oneof(text, fc.dictionary(text, text, { maxKeys: 4 }), fc.array(text)),
    incident_id: text,
  });
}

/** One line of valid JSON whose strings are the record's, no raw control or separator. */
function expectOneJsonLine(entry: AuditEntry): void {
  const line = JSON.stringify(buildAuditRecord(entry, at));
  // eslint-disable-next-line no-control-regex -- a raw control character would break the line
  expect(line).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
  expect(JSON.parse(line)).toEqual(expect.objectContaining({ at: at.toISOString() }));
}

describe('audit writer (properties)', () => {
  it('any strings in an entry: one line of valid JSON, no throw', () => {
    fc.assert(fc.property(entryOf(hostileString()), expectOneJsonLine), { numRuns: 300 });
  });

  it('64 KB and 1 MB strings: one bounded line', () => {
    fc.assert(
      fc.property(fc.oneof(bigHostileString(64 * 1024), bigHostileString(1 << 20)), (big) => {
        const entry: AuditEntry = {
          agent: big,
          action: big,
          verdict: 'refused',
          result: big,
          input: { big },
          incident_id: big,
        };
        expectOneJsonLine(entry);
        expect(JSON.stringify(buildAuditRecord(entry, at)).length).toBeLessThan(20_000);
      }),
      { numRuns: 3 },
    );
  });

  it('writes what it builds: every line of the file parses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opscrew-audit-prop-'));
    try {
      const path = join(dir, 'audit.jsonl');
      const log = new JsonlAuditLog({ path, clock: new ManualClock(at.getTime()) });
      const entries = fc.sample(entryOf(hostileString()), { numRuns: 50, seed: 42 });
      for (const entry of entries) await log.record(entry);
      const lines = readFileSync(path, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(entries.length);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an input nested 20,000 deep is digested, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i += 1) deep = i % 2 === 0 ? [deep] : { k: deep };
    expect(stableJson(deep)).toMatch(/^\{"k":\[\{"k":\[/);
    expect(() =>
      buildAuditRecord(
        { agent: 'a', action: 'b', verdict: 'allowed', result: 'c', input: deep },
        at,
      ),
    ).not.toThrow();
  });

  it('stableJson agrees with JSON.stringify on key-sorted plain data', () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(json, (value) => {
        expect(JSON.parse(stableJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });
});
