import { INCIDENT_ID_PATTERN } from '@opscrew/contracts';
import {
  formatEpoch,
  formatIncidentId,
  INCIDENT_EPOCH_SPACE,
  incidentDay,
  isIncidentId,
  parseIncidentId,
} from './incident-id';

describe('incident ids (format and parse; the counter lives in libs/messaging)', () => {
  it('renders epochs as 4 Crockford base32 characters', () => {
    expect(formatEpoch(0)).toBe('0000');
    expect(formatEpoch(INCIDENT_EPOCH_SPACE - 1)).toBe('zzzz');
    expect(formatEpoch(31 * 32 + 18)).toBe('00zj');
  });

  it('writes INC-YYYYMMDD-NNN-EEEE from the UTC day, the counter and the epoch', () => {
    expect(incidentDay(new Date('2026-11-24T23:59:00Z'))).toBe('20261124');
    expect(incidentDay(new Date('2026-11-24T23:59:00-01:00'))).toBe('20261125');
    const id = formatIncidentId('20261124', 7, INCIDENT_EPOCH_SPACE / 2);
    expect(id).toBe('INC-20261124-007-g000');
    expect(id).toMatch(INCIDENT_ID_PATTERN);
    expect(formatIncidentId('20261124', 1234, 0)).toBe('INC-20261124-1234-0000');
  });

  it('reads an id back, the older form (no epoch) included', () => {
    expect(parseIncidentId('INC-20261124-007-g000')).toEqual({
      day: '20261124',
      sequence: 7,
      epoch: 'g000',
    });
    expect(parseIncidentId('INC-20250131-001')).toEqual({
      day: '20250131',
      sequence: 1,
      epoch: null,
    });
    for (const bad of ['INC-20250131-001-7K2Q', 'INC-20250131-001-7k2', 'INC-20250131-001-', 'x']) {
      expect(parseIncidentId(bad)).toBeNull();
    }
    expect(isIncidentId(`INC-20250131-${'1'.repeat(20)}`)).toBe(false);
  });

  it('keeps accepting the old INC-YYYYMMDD-NNN form (existing ledgers, fixtures)', () => {
    expect(INCIDENT_ID_PATTERN.test('INC-20250131-001')).toBe(true);
    expect(INCIDENT_ID_PATTERN.test('INC-20250131-001-7k2q')).toBe(true);
    expect(INCIDENT_ID_PATTERN.test('INC-20250131-001-7K2Q')).toBe(false);
    expect(INCIDENT_ID_PATTERN.test('INC-20250131-001-7k2')).toBe(false);
    expect(INCIDENT_ID_PATTERN.test('INC-20250131-001-')).toBe(false);
  });
});
