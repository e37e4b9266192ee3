import fc from 'fast-check';
import { RecentReports } from './recent-reports.ring';

describe('RecentReports', () => {
  it('keeps the last `capacity` reports, newest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 40 }), (cap, n) => {
        const ring = new RecentReports(cap);
        const at = (i: number): string => new Date(Date.UTC(2026, 11, 7, 0, 0, i)).toISOString();
        for (let i = 0; i < n; i++) ring.record({ name: 'daily', title: `r${i}`, at: at(i) });
        const titles = ring.list().map((report) => report.title);
        const kept = Array.from({ length: Math.min(cap, n) }, (_, k) => `r${n - 1 - k}`);
        expect(titles).toEqual(kept);
      }),
    );
  });

  it('orders by time, then by arrival; hands out copies', () => {
    const ring = new RecentReports(5);
    ring.record({ name: 'a', title: 'late', at: '2026-12-07T00:00:02.000Z' });
    ring.record({ name: 'a', title: 'early', at: '2026-12-07T00:00:01.000Z' });
    ring.record({ name: 'a', title: 'late too', at: '2026-12-07T00:00:02.000Z' });
    const listed = ring.list();
    expect(listed.map((r) => r.title)).toEqual(['late too', 'late', 'early']);
    (listed[0] as { title: string }).title = 'changed';
    expect(ring.list()[0]?.title).toBe('late too');
  });

  it('refuses a capacity that is not a whole number ≥ 1, naming it', () => {
    expect(() => new RecentReports(0)).toThrow(/capacity must be a whole number ≥ 1 \(got 0\)/);
  });
});
