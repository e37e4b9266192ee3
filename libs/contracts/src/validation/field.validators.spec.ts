import { isTimestamp } from './field.validators';

describe('isTimestamp', () => {
  it.each([
    '2025-01-31T12:00:00Z',
    '2025-01-31T12:00:00.123Z',
    '2025-01-31T12:00:00.123456789+01:00',
    '2025-01-31T23:59:59-23:59',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
  ])('accepts %s', (value) => {
    expect(isTimestamp(value)).toBe(true);
  });

  // What RFC 3339 (JSON Schema's `format: date-time`) refuses, and Date.parse would take or
  // roll over: the schemas in docs/events and the parser must agree.
  it.each([
    ['a day the month does not have', '2025-02-30T00:00:00Z'],
    ['29 February outside a leap year', '2025-02-29T00:00:00Z'],
    ['29 February of a century year', '1900-02-29T00:00:00Z'],
    ['31 April', '2025-04-31T12:00:00Z'],
    ['hour 24', '2025-01-31T24:00:00Z'],
    ['a leap second', '2025-01-31T23:59:60Z'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['an offset of 24 hours', '2025-01-31T12:00:00+24:00'],
    ['no zone', '2025-01-31T12:00:00'],
    ['a date only', '2025-01-31'],
    ['lower-case separators', '2025-01-31t12:00:00z'],
    ['ten fractional digits', '2025-01-31T12:00:00.1234567891Z'],
  ])('refuses %s (%s)', (_what, value) => {
    expect(isTimestamp(value)).toBe(false);
  });
});
