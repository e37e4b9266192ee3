import { type IncidentRecord } from '@opscrew/contracts';
import { newestFirst } from '@opscrew/messaging';
import {
  encodeCursor,
  INCIDENT_PAGE_DEFAULT,
  INCIDENT_PAGE_MAX,
  pageOf,
  parseCursor,
  parseLimit,
} from './incident-page';

/** Just what paging reads of a record. */
const incident = (n: number, at: string, dedup?: string): IncidentRecord =>
  ({
    incident_id: `INC-20261206-${String(n).padStart(3, '0')}-7k2q`,
    detected_at: at,
    ...(dedup !== undefined ? { dedup_keys: [dedup] } : {}),
  }) as IncidentRecord;

describe('incident pages', () => {
  // 25 incidents, five per millisecond: ties must be ordered by id, never skipped or repeated.
  const all = Array.from({ length: 25 }, (_, i) =>
    incident(i + 1, `2026-12-06T10:00:00.00${Math.floor(i / 5)}Z`, i % 3 === 0 ? 'k' : undefined),
  ).sort(newestFirst);

  it('walks every incident exactly once, newest first, whatever the page size', () => {
    for (const limit of [1, 2, 7, 25, 500]) {
      const seen: string[] = [];
      let after = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = pageOf(all, {}, limit, after);
        seen.push(...page.items.map((r) => r.incident_id));
        expect(page.items.length).toBeLessThanOrEqual(limit);
        if (page.next_cursor === null) break;
        after = parseCursor(page.next_cursor);
      }
      expect(seen).toEqual(all.map((r) => r.incident_id));
    }
  });

  it('pages through a filter, and ends without a cursor exactly at the last match', () => {
    const first = pageOf(all, { dedup_key: 'k' }, 5, null);
    expect(first.items).toHaveLength(5);
    expect(first.next_cursor).not.toBeNull();
    const second = pageOf(all, { dedup_key: 'k' }, 5, parseCursor(first.next_cursor));
    expect(second.items.map((r) => r.incident_id)).toEqual(
      all
        .filter((r) => r.dedup_keys?.includes('k'))
        .slice(5)
        .map((r) => r.incident_id),
    );
    expect(second.next_cursor).toBeNull();
  });

  it('reads ?limit strictly', () => {
    expect(parseLimit(undefined)).toBe(INCIDENT_PAGE_DEFAULT);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit(String(INCIDENT_PAGE_MAX))).toBe(INCIDENT_PAGE_MAX);
    for (const bad of ['0', '501', '1e2', ' 5', '05x', 5, ['5']]) {
      expect(() => parseLimit(bad)).toThrow(/^\?limit: /);
    }
  });

  it('round-trips a cursor and refuses one it did not hand out', () => {
    const position = { detected_at: '2026-12-06T10:00:00.000Z', incident_id: 'INC-20261206-001' };
    expect(parseCursor(encodeCursor(position))).toEqual(position);
    expect(parseCursor(undefined)).toBeNull();
    for (const bad of ['', 'a b', Buffer.from('x|y').toString('base64url'), ['a']]) {
      expect(() => parseCursor(bad)).toThrow(/^\?cursor: /);
    }
  });
});
