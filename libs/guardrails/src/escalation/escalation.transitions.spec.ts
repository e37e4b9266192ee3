import {
  ESCALATION_HISTORY_MAX,
  EscalationRecord,
  NOTE_MAX_LENGTH,
  validatePlain,
} from '@opscrew/contracts';
import { escalationKeys, formatMinutes, timeoutReason } from './escalation-message.builder';
import { mentionRole, nextLevel } from './escalation-levels';
import { advanced, closed, openedRecord, resumed } from './escalation.transitions';
import { escalationConfig } from './testing';

const AT = Date.parse('2025-01-31T12:00:00.000Z');
const incident = {
  incident_id: 'INC-20250131-001',
  service: 'checkout',
  symptom: 'high_error_rate',
  severity: 'high' as const,
};

describe('escalation transitions', () => {
  const config = escalationConfig();

  it('every state is a valid EscalationRecord', () => {
    const opened = openedRecord(incident, config, AT);
    const l2 = advanced(opened, 'L2', config, 'x'.repeat(NOTE_MAX_LENGTH * 2), AT + 600_000);
    const acked = closed(l2, 'acked', 'alice', AT + 700_000, 'on it');
    for (const record of [opened, l2, acked]) {
      const result = validatePlain(EscalationRecord, JSON.parse(JSON.stringify(record)));
      expect(result.ok ? 'valid' : result.reason).toBe('valid');
    }
    expect(l2.reason).toHaveLength(NOTE_MAX_LENGTH);
    expect(acked.pending_level).toBeUndefined();
    expect(acked.history.at(-1)?.note).toBe(
      'acked by alice: on it (pending L2 side effects dropped)',
    );
  });

  it('caps the history, keeping the first step', () => {
    let record = openedRecord(incident, config, AT);
    for (let i = 1; i <= 40; i++) record = resumed(record, AT + i * 1000);
    expect(record.history).toHaveLength(ESCALATION_HISTORY_MAX);
    expect(record.history[0]?.event).toBe('opened');
    expect(record.history.at(-1)?.at).toBe('2025-01-31T12:00:40.000Z');
  });

  it('levels, mentions, wording, keys', () => {
    expect([nextLevel('L1'), nextLevel('L2'), nextLevel('L3')]).toEqual(['L2', 'L3', null]);
    expect(mentionRole(config, 'L2')).toBe('oncall-engineer');
    expect(mentionRole(config, 'L1')).toBeNull();
    expect(formatMinutes(10)).toBe('10 min');
    expect(formatMinutes(0.02)).toBe('1.2 s');
    expect(timeoutReason(config, 'L3')).toBe('no acknowledgement within 60 min at L3 (@team-lead)');
    expect(escalationKeys.event('INC-20250131-001', 'L2')).toBe(
      'incident.escalated.INC-20250131-001.L2',
    );
  });
});
