import { EscalationRecord } from '@opscrew/contracts';
import { type EscalationIncident } from '@opscrew/incident';
import { TypedKv } from '@opscrew/messaging';
import { eventually, FakeKv } from '@opscrew/messaging/testing';
import { ManualClock, RecordingAudit, RecordingOutbox } from '@opscrew/testing';
import { EscalationService } from './escalation.service';
import { escalationConfig, RecordingLogger, RecordingPublisher } from './testing';

const MINUTE = 60_000;
const START = Date.parse('2025-01-31T12:00:00.000Z');
const INC = 'INC-20250131-001';
const incident: EscalationIncident = {
  incident_id: INC,
  service: 'checkout',
  symptom: 'high_error_rate',
  severity: 'high',
};

describe('EscalationService', () => {
  let clock: ManualClock;
  let fake: FakeKv;
  let kv: TypedKv<EscalationRecord>;
  let outbox: RecordingOutbox;
  let publisher: RecordingPublisher;
  let audit: RecordingAudit;
  let logger: RecordingLogger;

  const newService = (): EscalationService =>
    new EscalationService({
      kv,
      outbox,
      publisher,
      audit,
      config: escalationConfig(),
      clock,
      logger,
    });

  /** Ticks at `minutes` after START. */
  const tickAt = (
    service: EscalationService,
    minutes: number,
  ): ReturnType<EscalationService['tick']> => {
    clock.advance(START + minutes * MINUTE - clock.now());
    return service.tick(clock.now());
  };

  const record = async (): Promise<EscalationRecord> => {
    const current = await kv.get(INC);
    if (current === null) throw new Error('no record');
    return current.value;
  };

  beforeEach(() => {
    clock = new ManualClock(START);
    fake = new FakeKv('escalations');
    kv = new TypedKv<EscalationRecord>(fake.asKv(), 'escalations', { class: EscalationRecord });
    outbox = new RecordingOutbox();
    publisher = new RecordingPublisher();
    audit = new RecordingAudit();
    logger = new RecordingLogger();
  });

  describe('open', () => {
    it('starts the chain at L1 with the L1 deadline, audits it, pages nobody', async () => {
      const result = await newService().open(incident);
      expect(result.created).toBe(true);
      const stored = await record();
      expect(stored).toMatchObject({
        incident_id: INC,
        level: 'L1',
        state: 'open',
        opened_at: '2025-01-31T12:00:00.000Z',
        deadline_at: '2025-01-31T12:10:00.000Z',
        exhausted: false,
      });
      expect(stored.pending_level).toBeUndefined();
      expect(audit.actions()).toEqual([`${INC} escalation.L1`]);
      expect(outbox.calls).toEqual([]);
      expect(publisher.calls).toEqual([]);
    });

    it('is idempotent: a redelivery or a second replica changes nothing', async () => {
      await newService().open(incident);
      clock.advance(3 * MINUTE);
      const again = await newService().open(incident);
      expect(again.created).toBe(false);
      expect(again.record.deadline_at).toBe('2025-01-31T12:10:00.000Z');
      expect(audit.entries).toHaveLength(1);
    });

    it('counts the L1 timeout from the given time (e.g. the detection)', async () => {
      await newService().open(incident, '2025-01-31T11:58:00.000Z');
      expect((await record()).deadline_at).toBe('2025-01-31T12:08:00.000Z');
    });
  });

  describe('the timeline', () => {
    it('L1 → L2 at 10 min → L3 at 40 min, each performed once, with the configured mentions', async () => {
      const service = newService();
      await service.open(incident);

      expect(await tickAt(service, 9.99)).toMatchObject({ checked: 1, escalated: 0 });
      expect(publisher.calls).toEqual([]);

      expect(await tickAt(service, 10)).toMatchObject({ escalated: 1, failed: 0 });
      const l2 = await record();
      expect(l2).toMatchObject({
        level: 'L2',
        level_started_at: '2025-01-31T12:10:00.000Z',
        deadline_at: '2025-01-31T12:40:00.000Z',
        reason: 'automatic remediation did not resolve it within 10 min (L1)',
      });
      expect(l2.pending_level).toBeUndefined();
      expect(publisher.calls).toEqual([
        {
          id: `incident.escalated.${INC}.L2`,
          at: '2025-01-31T12:10:00.000Z',
          payload: {
            incident_id: INC,
            level: 'L2',
            reason: 'automatic remediation did not resolve it within 10 min (L1)',
            mention: '@oncall-engineer',
          },
        },
      ]);
      expect(outbox.created).toEqual([
        `transition:${INC}:escalated`,
        `comment:${INC}:escalated:L2`,
        `escalation:${INC}:L2`,
      ]);
      expect(outbox.items.get(`transition:${INC}:escalated`)).toEqual({
        kind: 'ticket.transition',
        idempotency_key: `transition:${INC}:escalated`,
        ticket: { idempotency_key: `ticket:${INC}` },
        to: 'escalated',
      });
      const [page] = outbox.notifications();
      expect(page?.notification).toMatchObject({
        kind: 'escalation',
        severity: 'high',
        mention_roles: ['oncall-engineer'],
        incident_id: INC,
      });
      expect(page?.notification.title).toContain(INC);
      for (const word of [INC, 'checkout', 'high_error_rate', 'L2', 'within 10 min']) {
        expect(page?.notification.text).toContain(word);
      }
      expect(page?.notification.text).toContain(`opscrew incident ack ${INC}`);
      expect(page?.notification.text).toContain(
        'Without an acknowledgement within 30 min: L3 (@team-lead)',
      );

      // Ticks in between do nothing.
      expect(await tickAt(service, 39.99)).toMatchObject({ escalated: 0 });
      expect(outbox.calls).toHaveLength(3);

      expect(await tickAt(service, 40)).toMatchObject({ escalated: 1 });
      expect(await record()).toMatchObject({
        level: 'L3',
        deadline_at: '2025-01-31T13:40:00.000Z',
        reason: 'no acknowledgement within 30 min at L2 (@oncall-engineer)',
      });
      expect(outbox.created).toEqual([
        `transition:${INC}:escalated`,
        `comment:${INC}:escalated:L2`,
        `escalation:${INC}:L2`,
        `comment:${INC}:escalated:L3`,
        `escalation:${INC}:L3`,
      ]);
      expect(outbox.notifications()[1]?.notification.mention_roles).toEqual(['team-lead']);
      expect(outbox.notifications()[1]?.notification.text).toContain('This is the last level');
      expect([...publisher.stored.keys()]).toEqual([
        `incident.escalated.${INC}.L2`,
        `incident.escalated.${INC}.L3`,
      ]);
      expect(audit.actions()).toEqual([
        `${INC} escalation.L1`,
        `${INC} escalation.L2`,
        `${INC} escalation.L3`,
      ]);
      expect(audit.entries[1]).toMatchObject({ agent: 'jira-resolver', verdict: 'allowed' });
      expect(audit.entries[1]?.revision).toEqual(expect.any(Number));
    });

    it('exhausted at L3: stays there, logged and audited once, never paged again', async () => {
      const service = newService();
      await service.open(incident);
      await tickAt(service, 10);
      await tickAt(service, 40);
      expect(await tickAt(service, 100)).toMatchObject({ exhausted: 1, escalated: 0 });
      expect(await tickAt(service, 200)).toMatchObject({ exhausted: 0, escalated: 0 });
      expect(await tickAt(service, 5000)).toMatchObject({ exhausted: 0, escalated: 0 });
      expect(await record()).toMatchObject({ level: 'L3', exhausted: true, state: 'open' });
      expect(outbox.created.filter((key) => key.startsWith('escalation:'))).toEqual([
        `escalation:${INC}:L2`,
        `escalation:${INC}:L3`,
      ]);
      expect(outbox.calls).toHaveLength(5);
      expect(logger.lines.filter((line) => line.includes('exhausted'))).toHaveLength(1);
      expect(audit.actions().filter((a) => a.endsWith('escalation.exhausted'))).toHaveLength(1);
    });

    it('a restarted instance on the same bucket resumes at the right level and time', async () => {
      await newService().open(incident);
      await tickAt(newService(), 10);
      // The first instance is gone; a new one picks the chain up from the bucket.
      const later = newService();
      expect(await tickAt(later, 39)).toMatchObject({ escalated: 0 });
      expect(await tickAt(later, 40)).toMatchObject({ escalated: 1 });
      expect((await record()).level).toBe('L3');
    });

    it('two replicas ticking at once perform each level once', async () => {
      const a = newService();
      const b = newService();
      await a.open(incident);
      clock.advance(10 * MINUTE);
      const reports = await Promise.all([a.tick(clock.now()), b.tick(clock.now())]);
      expect(reports.map((r) => r.escalated).sort()).toEqual([0, 1]);
      expect(publisher.calls).toHaveLength(1);
      expect(outbox.calls).toHaveLength(3);
      expect(audit.actions()).toEqual([`${INC} escalation.L1`, `${INC} escalation.L2`]);
    });
  });

  describe('escalateNow', () => {
    it('enters L2 immediately with the reason given; a repeat does not wake L3', async () => {
      const service = newService();
      await service.open(incident);
      clock.advance(2 * MINUTE);
      const result = await service.escalateNow(INC, 'verification failed: error rate still 12 %');
      expect(result).toMatchObject({ outcome: 'escalated', level: 'L2' });
      expect(await record()).toMatchObject({
        level: 'L2',
        level_started_at: '2025-01-31T12:02:00.000Z',
        deadline_at: '2025-01-31T12:32:00.000Z',
        reason: 'verification failed: error rate still 12 %',
      });
      expect((await record()).escalate_reason).toBeUndefined();
      expect(publisher.calls[0]?.payload.reason).toBe('verification failed: error rate still 12 %');
      expect(outbox.notifications()[0]?.notification.text).toContain(
        'Why: verification failed: error rate still 12 %',
      );

      // A redelivered "remediation failed" must not page the lead.
      const again = await service.escalateNow(INC, 'verification failed (redelivered)');
      expect(again).toMatchObject({ outcome: 'already-human', level: 'L2' });
      expect(outbox.calls).toHaveLength(3);

      expect(await tickAt(service, 31.99)).toMatchObject({ escalated: 0 });
      expect(await tickAt(service, 32)).toMatchObject({ escalated: 1 });
      expect((await record()).level).toBe('L3');
    });

    it('says unknown / not escalating when there is nothing to move', async () => {
      const service = newService();
      expect(await service.escalateNow(INC, 'no runbook')).toEqual({ outcome: 'unknown' });
      await service.open(incident);
      await service.close(INC, 'resolved', 'jira-resolver', 'verified: 2 checks');
      expect(await service.escalateNow(INC, 'no runbook')).toMatchObject({
        outcome: 'not-escalating',
      });
      expect(outbox.calls).toEqual([]);
    });
  });

  describe('close and ack', () => {
    it('an ack stops the chain: no L3 afterwards, a second ack says who acked when', async () => {
      const service = newService();
      await service.open(incident);
      await tickAt(service, 10);
      clock.advance(5 * MINUTE);
      const result = await service.ack(INC, 'alice');
      expect(result).toMatchObject({ outcome: 'closed', level: 'L2' });
      expect(await record()).toMatchObject({
        state: 'acked',
        closed_by: 'alice',
        closed_at: '2025-01-31T12:15:00.000Z',
        level: 'L2',
      });

      expect(await tickAt(service, 41)).toMatchObject({ escalated: 0, exhausted: 0 });
      expect(await tickAt(service, 10_000)).toMatchObject({ escalated: 0, exhausted: 0 });
      expect(outbox.created.some((key) => key.includes(':L3'))).toBe(false);

      const again = await service.ack(INC, 'bob');
      expect(again.outcome).toBe('not-escalating');
      expect(again.outcome === 'not-escalating' && again.record.closed_by).toBe('alice');
      expect(audit.actions()).toEqual([
        `${INC} escalation.L1`,
        `${INC} escalation.L2`,
        `${INC} escalation.acked`,
      ]);
    });

    it('a verified fix at L1 closes it before anyone is paged', async () => {
      const service = newService();
      await service.open(incident);
      clock.advance(4 * MINUTE);
      expect(
        await service.close(INC, 'resolved', 'jira-resolver', 'error rate 0.2 %'),
      ).toMatchObject({ outcome: 'closed', level: 'L1' });
      expect(await tickAt(service, 60)).toMatchObject({ escalated: 0 });
      expect(outbox.calls).toEqual([]);
      expect(publisher.calls).toEqual([]);
      const ack = await service.ack(INC, 'alice');
      expect(ack.outcome === 'not-escalating' && ack.record).toMatchObject({
        state: 'resolved',
        closed_by: 'jira-resolver',
        close_note: 'error rate 0.2 %',
      });
    });

    it('unknown incident, and an ack that comes before the chain opened', async () => {
      const service = newService();
      expect(await service.ack(INC, 'alice')).toEqual({ outcome: 'unknown' });
      expect(await service.ack(INC, 'alice', incident)).toMatchObject({
        outcome: 'closed',
        level: 'L1',
      });
      const opened = await service.open(incident);
      expect(opened.created).toBe(false);
      expect(opened.record.state).toBe('acked');
      expect(await tickAt(service, 500)).toMatchObject({ escalated: 0 });
      expect(outbox.calls).toEqual([]);
      expect(audit.actions()).toEqual([`${INC} escalation.acked`]);
    });

    it('an ack while a level is pending drops its remaining side effects', async () => {
      const service = newService();
      await service.open(incident);
      outbox.failures.push(new Error('outbox unreachable'));
      expect(await tickAt(service, 10)).toMatchObject({ failed: 1 });
      expect((await record()).pending_level).toBe('L2');
      await service.ack(INC, 'alice');
      expect((await record()).pending_level).toBeUndefined();
      expect(await tickAt(service, 20)).toMatchObject({ resumed: 0, escalated: 0 });
      expect(outbox.calls).toEqual([]);
    });
  });

  describe('reopen (a recurrence after the chain closed)', () => {
    const RECURRENCE = `incident.updated.${INC}.4`;

    it('a resolved chain starts term 2 at L1 and pages again, under keys of its own', async () => {
      const service = newService();
      await service.open(incident);
      await tickAt(service, 10); // L2 paged in term 1
      clock.advance(5 * MINUTE);
      await service.close(INC, 'resolved', 'jira-resolver', 'verified');
      clock.advance(30 * MINUTE); // 12:45: it recurs

      const result = await service.reopen(INC, RECURRENCE, 'recurred: error rate 14 %');
      expect(result.outcome).toBe('reopened');
      const stored = await record();
      expect(stored).toMatchObject({
        state: 'open',
        level: 'L1',
        term: 2,
        term_key: RECURRENCE,
        opened_at: '2025-01-31T12:00:00.000Z',
        level_started_at: '2025-01-31T12:45:00.000Z',
        deadline_at: '2025-01-31T12:55:00.000Z',
        exhausted: false,
      });
      for (const gone of ['closed_by', 'closed_at', 'close_note', 'pending_level'] as const) {
        expect(stored[gone]).toBeUndefined();
      }
      // The closed term stays on record, the new one follows it.
      expect(stored.history.map((step) => step.event)).toEqual([
        'opened',
        'escalated',
        'resolved',
        'reopened',
      ]);
      expect(stored.history.at(-1)?.note).toContain('recurred after it was resolved (term 2)');
      expect(audit.actions().at(-1)).toBe(`${INC} escalation.L1`);
      expect(audit.entries.at(-1)?.result).toMatch(/^reopened \(term 2\) at L1/);

      // Nobody fixes it: L2 again at 12:55, a new page (not taken for term 1's repeat).
      expect(await tickAt(service, 54.99)).toMatchObject({ escalated: 0 });
      expect(await tickAt(service, 55)).toMatchObject({ escalated: 1 });
      expect(outbox.created.slice(3)).toEqual([
        `transition:${INC}:escalated:t2`,
        `comment:${INC}:escalated:L2:t2`,
        `escalation:${INC}:L2:t2`,
      ]);
      expect([...publisher.stored.keys()]).toEqual([
        `incident.escalated.${INC}.L2`,
        `incident.escalated.${INC}.L2.t2`,
      ]);
      expect(outbox.notifications()[1]?.notification.text).toContain(
        'It recurred after it was closed (term 2).',
      );
      expect(logger.lines.some((line) => line.includes('escalation reopened (term 2)'))).toBe(true);
    });

    it('an acknowledged chain reopens too: a recurrence is news to the person who acked', async () => {
      const service = newService();
      await service.open(incident);
      await tickAt(service, 10);
      await service.ack(INC, 'alice');
      expect((await service.reopen(INC, RECURRENCE, 'recurred')).outcome).toBe('reopened');
      expect(await record()).toMatchObject({ state: 'open', level: 'L1', term: 2 });
      // And its ack starts over: the next ack is told to the ledger under the new term's key.
      await tickAt(service, 25);
      expect((await service.ack(INC, 'bob')).outcome).toBe('closed');
      expect(await record()).toMatchObject({ state: 'acked', closed_by: 'bob', term: 2 });
    });

    it('one term per recurrence: a redelivery, even after the term closed, starts nothing', async () => {
      const service = newService();
      await service.open(incident);
      await service.close(INC, 'resolved', 'jira-resolver');
      await service.reopen(INC, RECURRENCE, 'recurred');
      const again = await service.reopen(INC, RECURRENCE, 'recurred');
      expect(again.outcome).toBe('unchanged');
      await service.close(INC, 'resolved', 'jira-resolver');
      expect((await service.reopen(INC, RECURRENCE, 'recurred')).outcome).toBe('unchanged');
      expect((await record()).term).toBe(2);
      // The next recurrence is a new one: term 3.
      const third = await service.reopen(INC, `incident.updated.${INC}.9`, 'recurred again');
      expect(third.outcome === 'reopened' && third.record.term).toBe(3);
      expect(audit.actions().filter((a) => a.endsWith('escalation.L1'))).toHaveLength(3);
    });

    it('leaves a running chain alone, and says unknown for an incident never opened', async () => {
      const service = newService();
      expect(await service.reopen(INC, RECURRENCE, 'recurred')).toEqual({ outcome: 'unknown' });
      await service.open(incident);
      clock.advance(4 * MINUTE);
      const result = await service.reopen(INC, RECURRENCE, 'recurred');
      expect(result.outcome).toBe('unchanged');
      expect(await record()).toMatchObject({
        term: undefined,
        deadline_at: '2025-01-31T12:10:00.000Z',
      });
    });

    it('then escalateNow pages at once: a recurrence past max_retries is not left waiting', async () => {
      const service = newService();
      await service.open(incident);
      await service.close(INC, 'resolved', 'jira-resolver');
      // Before the new term, escalating a closed chain pages nobody — the defect this fixes.
      expect((await service.escalateNow(INC, 'max_retries')).outcome).toBe('not-escalating');
      await service.reopen(INC, RECURRENCE, 'recurred');
      expect(await service.escalateNow(INC, 'max_retries')).toMatchObject({
        outcome: 'escalated',
        level: 'L2',
      });
      expect(outbox.created).toContain(`escalation:${INC}:L2:t2`);
    });

    it('a crash after the new term is written is audited by a later tick', async () => {
      const service = newService();
      await service.open(incident);
      await service.close(INC, 'resolved', 'jira-resolver');
      audit.failures.push(new Error('audit sink down'));
      expect((await service.reopen(INC, RECURRENCE, 'recurred')).outcome).toBe('reopened');
      expect((await record()).pending_level).toBe('L1');
      clock.advance(MINUTE);
      expect(await service.tick(clock.now())).toMatchObject({ resumed: 1 });
      expect((await record()).pending_level).toBeUndefined();
      expect(audit.entries.at(-1)?.result).toMatch(/^reopened \(term 2\) at L1.*after a crash$/);
    });
  });

  describe('crash safety', () => {
    it('a crash mid-step is completed by a later tick without duplicating side effects', async () => {
      await newService().open(incident);
      // The L2 step dies after the transition and the comment, before the page.
      outbox.failures.push(null, null, new Error('process killed'));
      expect(await tickAt(newService(), 10)).toMatchObject({ escalated: 0, failed: 1 });
      expect(await record()).toMatchObject({
        level: 'L2',
        pending_level: 'L2',
        pending_since: '2025-01-31T12:10:00.000Z',
      });
      expect(outbox.created).toEqual([
        `transition:${INC}:escalated`,
        `comment:${INC}:escalated:L2`,
      ]);

      // Within the claim (30 s) the marker's owner may still be working: hands off.
      const restarted = newService();
      expect(await tickAt(restarted, 10.25)).toMatchObject({ resumed: 0 });
      expect(await tickAt(restarted, 10.5)).toMatchObject({ resumed: 1, escalated: 0, failed: 0 });

      const stored = await record();
      expect(stored.pending_level).toBeUndefined();
      expect(stored.level_started_at).toBe('2025-01-31T12:10:00.000Z');
      expect(stored.history.map((h) => h.event)).toEqual(['opened', 'escalated', 'resumed']);
      expect(outbox.created).toEqual([
        `transition:${INC}:escalated`,
        `comment:${INC}:escalated:L2`,
        `escalation:${INC}:L2`,
      ]);
      // Re-enqueued by key (no-ops), the page exactly once.
      expect(outbox.calls.map((c) => c.kind)).toEqual([
        'ticket.transition',
        'ticket.comment',
        'ticket.transition',
        'ticket.comment',
        'notify',
      ]);
      expect(publisher.calls).toHaveLength(2);
      expect(publisher.stored.size).toBe(1);
      expect(publisher.calls[0]).toEqual(publisher.calls[1]);
      expect(audit.actions()).toEqual([`${INC} escalation.L1`, `${INC} escalation.L2`]);

      // The timer was not reset by the takeover: L3 at 40 min.
      expect(await tickAt(restarted, 39.9)).toMatchObject({ escalated: 0 });
      expect(await tickAt(restarted, 40)).toMatchObject({ escalated: 1 });
    });

    it('a crash after every side effect but before the marker is cleared repeats only no-ops', async () => {
      await newService().open(incident);
      audit.failures.push(new Error('process killed before the audit'));
      expect(await tickAt(newService(), 10)).toMatchObject({ failed: 1 });
      expect(outbox.created).toHaveLength(3);
      expect(await tickAt(newService(), 11)).toMatchObject({ resumed: 1 });
      expect(outbox.created).toHaveLength(3);
      expect(outbox.calls.filter((c) => c.kind === 'notify')).toHaveLength(2);
      expect(audit.actions()).toEqual([`${INC} escalation.L1`, `${INC} escalation.L2`]);
      expect((await record()).pending_level).toBeUndefined();
    });

    it('a crash while opening is recorded by a later tick', async () => {
      audit.failures.push(new Error('audit sink down'));
      const opened = await newService().open(incident);
      expect(opened.created).toBe(true);
      expect((await record()).pending_level).toBe('L1');
      expect(await tickAt(newService(), 1)).toMatchObject({ resumed: 1, escalated: 0 });
      expect(audit.actions()).toEqual([`${INC} escalation.L1`]);
      expect((await record()).pending_level).toBeUndefined();
    });

    it('an unreadable record is reported once and does not block the others', async () => {
      const service = newService();
      await service.open(incident);
      fake.putRaw('INC-20250131-002', '{"not": "a record"}');
      expect(await tickAt(service, 10)).toMatchObject({ checked: 1, escalated: 1 });
      await tickAt(service, 11);
      expect(logger.lines.filter((line) => line.includes('INC-20250131-002'))).toHaveLength(1);
    });
  });

  describe('the due index', () => {
    it('a tick reads the index, not every record: closed chains drop out, open ones escalate on time', async () => {
      const service = newService();
      const ids = ['INC-20250131-101', 'INC-20250131-102', 'INC-20250131-103'];
      for (const id of ids) await service.open({ ...incident, incident_id: id });
      await service.close('INC-20250131-102', 'acked', 'alice');
      const listings = jest.spyOn(fake, 'keys');
      expect(await tickAt(service, 6)).toMatchObject({ checked: 2, escalated: 0 });
      expect(listings).toHaveBeenCalledTimes(1); // the first tick's full reindex
      // Within ESCALATION_REINDEX_INTERVAL_MS of it: the index alone.
      expect(await tickAt(service, 10)).toMatchObject({ checked: 2, escalated: 2 });
      expect(listings).toHaveBeenCalledTimes(1);
    });

    it('indexes records written before the index existed on its first tick', async () => {
      await newService().open(incident);
      fake.putRaw('_due', '{"entries":{}}');
      expect(await tickAt(newService(), 10)).toMatchObject({ checked: 1, escalated: 1 });
    });

    it('escalateNow pulls the timer in: the next level comes now, not at the deadline', async () => {
      const service = newService();
      await service.open(incident);
      await tickAt(service, 1);
      await service.escalateNow(INC, 'no runbook matched');
      expect((await record()).level).toBe('L2');
      // L2's own deadline (30 min) is the next timer.
      expect(await tickAt(service, 30)).toMatchObject({ escalated: 0 });
      expect(await tickAt(service, 31)).toMatchObject({ escalated: 1 });
    });
  });

  it('start/stop: ticks on an interval until stopped', async () => {
    const service = newService();
    await service.open(incident);
    clock.advance(10 * MINUTE);
    service.start(10);
    await eventually(() => publisher.calls.length === 1, 2_000, 5);
    await service.stop();
    clock.advance(60 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(publisher.calls).toHaveLength(1);
  });
});
