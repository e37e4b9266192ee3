import { buildEvent, type DeadLetterEvent } from '@opscrew/contracts';
import { DeadLetterSummaryReport } from './dead-letter-summary.report';

function deadLetter(
  consumer: string,
  kind: DeadLetterEvent['kind'],
  reason: string,
  at: string,
  suppressed?: number,
): DeadLetterEvent {
  return buildEvent(
    `deadletter.${consumer}`,
    {
      consumer,
      subject: 'incident.detected',
      stream_seq: 7,
      delivery_count: 1,
      reason,
      ...(kind ? { kind } : {}),
      ...(suppressed ? { suppressed } : {}),
      raw: '{}',
      received_at: at,
    },
    'atlas',
  );
}

describe('DeadLetterSummaryReport', () => {
  const NOW = new Date('2026-12-07T00:50:00.000Z');

  it('says nothing without dead letters', async () => {
    expect(await new DeadLetterSummaryReport().build(NOW)).toBeNull();
  });

  it('counts by consumer and reason (a flood record as what it stands for), with the latest reason', async () => {
    const summary = new DeadLetterSummaryReport();
    summary.count(deadLetter('atlas-ledger', 'schema', 'old reason', '2026-12-07T00:10:00.000Z'));
    summary.count(deadLetter('atlas-ledger', 'schema', 'new reason', '2026-12-07T00:20:00.000Z'));
    summary.count(
      deadLetter('jira-resolver-incidents', 'invalid_json', 'bad', '2026-12-07T00:15:00.000Z', 5),
    );
    const report = await summary.build(NOW);
    expect(report?.title).toBe('Dead letters: 7 since the last summary');
    expect(report?.fields).toEqual({ dead_letters: 7, consumers: 2 });
    const lines = report?.text.split('\n') ?? [];
    expect(lines[1]).toBe(
      '- jira-resolver-incidents · invalid_json ×5 — latest 2026-12-07T00:15:00.000Z: bad',
    );
    expect(lines[2]).toBe(
      '- atlas-ledger · schema ×2 — latest 2026-12-07T00:20:00.000Z: new reason',
    );
  });

  it('starts over after a published summary, keeping what arrived after the build', async () => {
    const summary = new DeadLetterSummaryReport();
    summary.count(deadLetter('atlas-ledger', 'schema', 'r', '2026-12-07T00:10:00.000Z'));
    await summary.build(NOW);
    summary.count(deadLetter('atlas-ledger', 'schema', 'r2', '2026-12-07T00:50:01.000Z'));
    summary.published(NOW);
    const next = await summary.build(new Date('2026-12-07T01:50:00.000Z'));
    expect(next?.fields).toEqual({ dead_letters: 1, consumers: 1 });
    expect(next?.text).toContain(`since ${NOW.toISOString()}`);
    // A build that was never published (NATS down) leaves the counts as they were.
    await summary.build(new Date('2026-12-07T02:50:00.000Z'));
    expect((await summary.build(new Date('2026-12-07T02:51:00.000Z')))?.fields).toEqual({
      dead_letters: 1,
      consumers: 1,
    });
  });
});
