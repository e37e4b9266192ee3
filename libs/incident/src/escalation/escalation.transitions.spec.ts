import {
  ESCALATION_HISTORY_MAX,
  EscalationRecord,
  NOTE_MAX_LENGTH,
  validatePlain,
} from '@opscrew/contracts';
import {
  type EscalationChain,
  firstHumanLevel,
  isHumanLevel,
  levelTimeoutMs,
  mentionRole,
  nextLevel,
} from './escalation-levels';
import {
  advanced,
  closed,
  openedRecord,
  reopenedRecord,
  resumed,
  termOf,
} from './escalation.transitions';

/** The shipped chain (config/project thresholds): L1 the crew, L2 and L3 page a person. */
const config: EscalationChain = {
  levels: {
    L1: {
      description: 'Automatic remediation by the runbook',
      handler: 'jira-resolver',
      timeout_minutes: 10,
    },
    L2: {
      description: 'Page the on-call engineer',
      handler: 'discord_mention',
      mention: '@oncall-engineer',
      timeout_minutes: 30,
    },
    L3: {
      description: 'Page the team lead',
      handler: 'discord_mention',
      mention: '@team-lead',
      timeout_minutes: 0.5,
    },
  },
};

const AT = Date.parse('2025-01-31T12:00:00.000Z');
const incident = {
  incident_id: 'INC-20250131-001',
  service: 'checkout',
  symptom: 'high_error_rate',
  severity: 'high' as const,
};

describe('escalation transitions', () => {
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

  it('levels, mentions, timeouts, who is human', () => {
    expect([nextLevel('L1'), nextLevel('L2'), nextLevel('L3')]).toEqual(['L2', 'L3', null]);
    expect(mentionRole(config, 'L2')).toBe('oncall-engineer');
    expect(mentionRole(config, 'L1')).toBeNull();
    expect(levelTimeoutMs(config, 'L2')).toBe(30 * 60_000);
    // Fractional minutes: tests compress the chain.
    expect(levelTimeoutMs(config, 'L3')).toBe(30_000);
    expect([isHumanLevel(config, 'L1'), isHumanLevel(config, 'L2')]).toEqual([false, true]);
    expect(firstHumanLevel(config)).toBe('L2');
  });

  it('moves the deadline and the history with each step', () => {
    const opened = openedRecord(incident, config, AT);
    expect(opened.deadline_at).toBe('2025-01-31T12:10:00.000Z');
    const l2 = advanced(opened, 'L2', config, 'no ack', AT + 600_000);
    expect(l2).toMatchObject({
      level: 'L2',
      pending_level: 'L2',
      deadline_at: '2025-01-31T12:40:00.000Z',
    });
    expect(l2.history.map((h) => h.event)).toEqual(['opened', 'escalated']);
  });

  it('a recurrence starts the next term, valid, however many came before', () => {
    let record = closed(openedRecord(incident, config, AT), 'resolved', 'jira-resolver', AT + 1000);
    expect(termOf(record)).toBe(1);
    for (let term = 2; term <= 12; term++) {
      const at = AT + term * 3_600_000;
      record = reopenedRecord(
        record,
        config,
        `recurrence-${term}`,
        'x'.repeat(NOTE_MAX_LENGTH),
        at,
      );
      expect(record).toMatchObject({
        term,
        term_key: `recurrence-${term}`,
        state: 'open',
        level: 'L1',
        pending_level: 'L1',
        deadline_at: new Date(at + 600_000).toISOString(),
      });
      const result = validatePlain(EscalationRecord, JSON.parse(JSON.stringify(record)));
      expect(result.ok ? 'valid' : result.reason).toBe('valid');
      record = closed(
        advanced(record, 'L2', config, 'no fix', at + 600_000),
        'acked',
        'alice',
        at + 700_000,
      );
    }
    // Eleven more terms of three steps each: the latest are kept whole, and the very first step.
    expect(record.history).toHaveLength(ESCALATION_HISTORY_MAX);
    expect(record.history[0]?.event).toBe('opened');
    expect(record.history.slice(-3).map((h) => h.event)).toEqual([
      'reopened',
      'escalated',
      'acked',
    ]);
  });
});
