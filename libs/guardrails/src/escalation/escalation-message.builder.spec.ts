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

  it('term 1 keeps the keys chains had before terms; every later term has its own', () => {
    const id = 'INC-20250131-001';
    const kinds = [
      (term?: number) => escalationKeys.event(id, 'L2', term),
      (term?: number) => escalationKeys.notification(id, 'L2', term),
      (term?: number) => escalationKeys.comment(id, 'L2', term),
      (term?: number) => escalationKeys.transition(id, term),
      (term?: number) => escalationKeys.ackUpdate(id, term),
    ];
    expect(kinds.map((key) => key())).toEqual([
      'incident.escalated.INC-20250131-001.L2',
      'escalation:INC-20250131-001:L2',
      'comment:INC-20250131-001:escalated:L2',
      'transition:INC-20250131-001:escalated',
      'incident.updated.INC-20250131-001.acked',
    ]);
    for (const key of kinds) {
      const keys = [1, 2, 3, 12].map((term) => key(term));
      expect(keys[0]).toBe(key());
      expect(new Set(keys).size).toBe(keys.length);
      for (const one of keys) expect(one).toMatch(/^[\x21-\x7E]+$/);
    }
  });
});
