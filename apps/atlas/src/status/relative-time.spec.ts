import fc from 'fast-check';
import { duration, relativeTime } from './relative-time';

describe('relativeTime', () => {
  const now = Date.parse('2026-12-07T01:00:00.000Z');

  it('reads like a person says it', () => {
    expect(relativeTime(now - 45_000, now)).toBe('45 s ago');
    expect(relativeTime(now - 120_000, now)).toBe('2 min ago');
    expect(relativeTime(now - 3_900_000, now)).toBe('1 h 5 min ago');
    expect(relativeTime(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(relativeTime(now + 42_000, now)).toBe('in 42 s');
    expect(relativeTime(now, now)).toBe('just now');
    expect(relativeTime(NaN, now)).toBe('unknown');
  });

  it('says "ago" for the past and "in" for the future', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e10, max: 1e10 }), (delta) => {
        const text = relativeTime(now - delta, now);
        if (Math.round(delta / 1000) >= 1) expect(text).toMatch(/ ago$/);
        else if (Math.round(delta / 1000) <= -1) expect(text).toMatch(/^in /);
      }),
    );
  });
});

describe('duration', () => {
  it('uses the largest sensible unit', () => {
    expect(duration(0)).toBe('0 s');
    expect(duration(59)).toBe('59 s');
    expect(duration(60)).toBe('1 min');
    expect(duration(7200)).toBe('2 h');
    expect(duration(90_000)).toBe('1 d 1 h');
  });
});
