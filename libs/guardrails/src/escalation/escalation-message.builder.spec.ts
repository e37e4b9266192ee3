import { escalationKeys, formatMinutes, timeoutReason } from './escalation-message.builder';
import { escalationConfig } from './testing';

// The transitions and levels these texts read: libs/incident escalation.transitions.spec.ts.
describe('escalation messages', () => {
  const config = escalationConfig();

  it('wording and keys', () => {
    expect(formatMinutes(10)).toBe('10 min');
    expect(formatMinutes(0.02)).toBe('1.2 s');
    expect(timeoutReason(config, 'L3')).toBe('no acknowledgement within 60 min at L3 (@team-lead)');
    expect(escalationKeys.event('INC-20250131-001', 'L2')).toBe(
      'incident.escalated.INC-20250131-001.L2',
    );
    expect(escalationKeys.ticket('INC-20250131-001')).toBe('ticket:INC-20250131-001');
  });
});
