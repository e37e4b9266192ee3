import { type IncidentRecord } from '@opscrew/contracts';
import { seenSince } from './demo-story';

function incident(detectedAt: string, history: { phase: string; at: string }[]): IncidentRecord {
  return { detected_at: detectedAt, history } as unknown as IncidentRecord;
}

describe('seenSince', () => {
  const fault = '2026-12-07T01:23:38.000Z';

  it('is the detection of an incident opened after the fault began', () => {
    expect(seenSince(incident('2026-12-07T01:23:40.000Z', []), fault)).toBe(
      '2026-12-07T01:23:40.000Z',
    );
  });

  it('is the reopening of an incident resolved before the fault and recurring after it', () => {
    const reopened = incident('2026-12-07T01:23:05.000Z', [
      { phase: 'detected', at: '2026-12-07T01:23:05.000Z' },
      { phase: 'resolved', at: '2026-12-07T01:23:33.000Z' },
      { phase: 'reopened', at: '2026-12-07T01:23:42.000Z' },
      { phase: 'reopened', at: '2026-12-07T01:23:43.000Z' },
    ]);
    expect(seenSince(reopened, fault)).toBe('2026-12-07T01:23:42.000Z');
  });

  it('is null for an incident neither opened nor reopened since', () => {
    const earlier = incident('2026-12-07T01:23:05.000Z', [
      { phase: 'reopened', at: '2026-12-07T01:23:20.000Z' },
      { phase: 'resolved', at: '2026-12-07T01:23:33.000Z' },
    ]);
    expect(seenSince(earlier, fault)).toBeNull();
  });
});
