import fc from 'fast-check';
import {
  DurationError,
  formatDuration,
  MAX_SILENCE_DURATION_MS,
  MIN_SILENCE_MS,
  parseSilenceDuration,
} from './silence-duration';

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

describe('parseSilenceDuration', () => {
  it('reads a whole number and a unit', () => {
    expect(parseSilenceDuration('30m')).toBe(30 * 60_000);
    expect(parseSilenceDuration('2h')).toBe(2 * 3_600_000);
    expect(parseSilenceDuration('1d')).toBe(86_400_000);
    expect(parseSilenceDuration('1m')).toBe(MIN_SILENCE_MS);
    expect(parseSilenceDuration('7d')).toBe(MAX_SILENCE_DURATION_MS);
    expect(parseSilenceDuration('168h')).toBe(MAX_SILENCE_DURATION_MS);
  });

  it.each([
    '',
    '30',
    'm',
    '1.5h',
    '-1h',
    '+1h',
    ' 1h',
    '1h ',
    '1 h',
    '1H',
    '01h',
    '1h30m',
    '1w',
    '1s',
    '1e3m',
    '１h',
    '100000m',
  ])('refuses %j with what is accepted', (text) => {
    expect(() => parseSilenceDuration(text)).toThrow(DurationError);
    expect(() => parseSilenceDuration(text)).toThrow(/e\.g\. 30m, 2h, 1d|out of range/);
  });

  it('refuses what is out of range, saying the bounds', () => {
    expect(() => parseSilenceDuration('8d')).toThrow(
      /out of range: from 1m to 7d \(8 days asked\)/,
    );
    expect(() => parseSilenceDuration('169h')).toThrow(/out of range/);
    expect(() => parseSilenceDuration('10081m')).toThrow(/out of range/);
  });

  it('property: every well-formed duration within bounds is exactly amount × unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99_999 }),
        fc.constantFrom('m', 'h', 'd'),
        (n, unit) => {
          const ms = n * UNITS[unit];
          const text = `${n}${unit}`;
          if (ms > MAX_SILENCE_DURATION_MS) {
            expect(() => parseSilenceDuration(text)).toThrow(DurationError);
          } else {
            expect(parseSilenceDuration(text)).toBe(ms);
          }
        },
      ),
    );
  });

  it('property: any string either parses to a bounded whole number of minutes or throws a DurationError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let ms: number | null = null;
        try {
          ms = parseSilenceDuration(text);
        } catch (error) {
          expect(error).toBeInstanceOf(DurationError);
          return;
        }
        expect(Number.isInteger(ms / 60_000)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(MIN_SILENCE_MS);
        expect(ms).toBeLessThanOrEqual(MAX_SILENCE_DURATION_MS);
        expect(text).toMatch(/^[1-9][0-9]*[mhd]$/);
      }),
    );
  });

  it('never echoes a long input back in full', () => {
    expect(() => parseSilenceDuration(`1h${'x'.repeat(500)}`)).toThrow(
      /^duration "1hxxxxxxxxxxxxxxxxxx…" is not/,
    );
  });
});

describe('formatDuration', () => {
  it('says a window in days, hours and minutes', () => {
    expect(formatDuration(30 * 60_000)).toBe('30 min');
    expect(formatDuration(2 * 3_600_000)).toBe('2 h');
    expect(formatDuration(86_400_000 + 6 * 3_600_000 + 60_000)).toBe('1 d 6 h 1 min');
  });
});
