import {
  buildEvent,
  INCIDENT_ID_PATTERN,
  type IncidentDetectedEvent,
  IncidentRecord,
} from '@opscrew/contracts';
import { PermanentError, TransientError } from './handler-errors';
import { counterSchema, IncidentIdAllocator } from './incident-id.allocator';
import { IncidentLedger } from './incident-ledger.service';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

const detected = (id = 'INC-20261124-001'): IncidentDetectedEvent =>
  buildEvent(
    'incident.detected',
    {
      incident_id: id,
      fingerprint: 'cart:high_error_rate',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
      value: 0.12,
      threshold: 0.02,
      metric: 'error_rate_ratio',
      detected_at: '2026-11-24T10:00:00.000Z',
    },
    'ops-monitor',
  );

describe('IncidentLedger', () => {
  let ledger: IncidentLedger;
  beforeEach(() => {
    ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
  });

  it('opens an incident once; a redelivery or a second replica finds it', async () => {
    const event = detected();
    expect((await ledger.open(event)).created).toBe(true);
    const again = await ledger.open(event);
    expect(again.created).toBe(false);
    expect(again.record).toMatchObject({
      phase: 'detected',
      count: 1,
      peak_value: 0.12,
      detected_by: 'ops-monitor',
    });
    expect(await ledger.list()).toHaveLength(1);
  });

  it('applies lifecycle events by CAS and ignores a redelivered one', async () => {
    await ledger.open(detected());
    const update = buildEvent(
      'incident.updated',
      {
        incident_id: 'INC-20261124-001',
        fingerprint: 'cart:high_error_rate',
        count: 3,
        last_value: 0.2,
        peak_value: 0.3,
      },
      'ops-monitor',
    );
    expect(await ledger.apply(update, 'updated')).toBe(true);
    expect(await ledger.apply(update, 'updated')).toBe(false);
    const escalated = buildEvent(
      'incident.escalated',
      {
        incident_id: 'INC-20261124-001',
        level: 'L2',
        reason: 'restart did not help',
        mention: '@oncall-engineer',
      },
      'jira-resolver',
    );
    expect(await ledger.apply(escalated, 'escalated')).toBe(true);
    const record = await ledger.get('INC-20261124-001');
    expect(record).toMatchObject({ phase: 'escalated', count: 3, peak_value: 0.3 });
    expect(record?.history.map((h) => h.phase)).toEqual(['detected', 'detected', 'escalated']);
    expect(record?.history[2]?.note).toBe('L2 @oncall-engineer: restart did not help');
  });

  it('keeps the reporters and dedup keys of reports (bounded, merged), and lists by them', async () => {
    await ledger.open(
      buildEvent(
        'incident.detected',
        { ...detected(), reporters: ['alertmanager'], dedup_keys: ['fp-1'] },
        'ops-monitor',
      ),
    );
    await ledger.open(detected('INC-20261124-002'));
    const update = (keys: string[], id: string): Promise<boolean> =>
      ledger.apply(
        buildEvent(
          'incident.updated',
          {
            incident_id: 'INC-20261124-001',
            fingerprint: 'cart:high_error_rate',
            count: 2,
            reporters: ['alertmanager', 'cli'],
            dedup_keys: keys,
          },
          'ops-monitor',
          { id },
        ),
        'updated',
      );
    await update(['fp-1', 'fp-2'], 'u1');
    // Out of order (an older list after a newer one) loses nothing and grows nothing.
    await update(['fp-1'], 'u2');
    const record = await ledger.get('INC-20261124-001');
    expect(record?.reporters).toEqual(['alertmanager', 'cli']);
    expect(record?.dedup_keys).toEqual(['fp-2', 'fp-1']);
    expect((await ledger.get('INC-20261124-002'))?.dedup_keys).toBeUndefined();
    expect((await ledger.list({ dedup_key: 'fp-2' })).map((r) => r.incident_id)).toEqual([
      'INC-20261124-001',
    ]);
    expect(await ledger.list({ dedup_key: 'fp-9' })).toEqual([]);
    expect(await ledger.list({ reporter: 'cli', dedup_key: 'fp-1' })).toHaveLength(1);
    expect(await ledger.list()).toHaveLength(2);
  });

  it('refuses a step the lifecycle does not allow (resolved → detected)', async () => {
    await ledger.open(detected());
    await ledger.apply(
      buildEvent(
        'incident.resolved',
        { incident_id: 'INC-20261124-001', resolved_by: 'jira-resolver' },
        'jira-resolver',
      ),
      'resolved',
    );
    const rewind = buildEvent(
      'incident.updated',
      { incident_id: 'INC-20261124-001', fingerprint: 'f', phase: 'triaged' },
      'ops-monitor',
    );
    await expect(ledger.apply(rewind, 'updated')).rejects.toThrow(PermanentError);
    await expect(ledger.apply(rewind, 'updated')).rejects.toThrow(
      /resolved → triaged is not a lifecycle step/,
    );
  });

  it('files a step handled after a later one (two consumers) as history; the phase stays', async () => {
    await ledger.open(detected());
    const opened = Date.now();
    const at = (second: number): string => new Date(opened + second * 1000).toISOString();
    const verified = buildEvent(
      'incident.updated',
      {
        incident_id: 'INC-20261124-001',
        fingerprint: 'f',
        phase: 'verified',
        count: 4,
        last_value: 0.01,
      },
      'jira-resolver',
      { id: 'v1', at: at(2) },
    );
    await ledger.apply(
      buildEvent(
        'incident.resolved',
        { incident_id: 'INC-20261124-001', resolved_by: 'jira-resolver' },
        'jira-resolver',
        { at: at(3) },
      ),
      'resolved',
    );
    expect(await ledger.apply(verified, 'updated')).toBe(true);
    const record = await ledger.get('INC-20261124-001');
    expect(record).toMatchObject({ phase: 'resolved', count: 4, updated_at: at(3) });
    // The older reading does not overwrite what the record had.
    expect(record?.last_value).toBe(0.12);
    expect(record?.history.map((h) => h.phase)).toEqual(['detected', 'verified', 'resolved']);
    expect(record?.history[1]?.note).toContain('arrived late; phase stays resolved');
    // Redelivered: already applied.
    expect(await ledger.apply(verified, 'updated')).toBe(false);
  });

  it('follows a verification that needed no restart (triaged → verified → resolved)', async () => {
    await ledger.open(detected());
    const step = (phase: 'triaged' | 'verified', id: string) =>
      ledger.apply(
        buildEvent(
          'incident.updated',
          { incident_id: 'INC-20261124-001', fingerprint: 'f', phase },
          'jira-resolver',
          { id },
        ),
        'updated',
      );
    await step('triaged', 't1');
    await step('verified', 'v1');
    await ledger.apply(
      buildEvent(
        'incident.resolved',
        { incident_id: 'INC-20261124-001', resolved_by: 'jira-resolver' },
        'jira-resolver',
      ),
      'resolved',
    );
    expect((await ledger.get('INC-20261124-001'))?.history.map((h) => h.phase)).toEqual([
      'detected',
      'triaged',
      'verified',
      'resolved',
    ]);
  });

  it('asks for a retry when an update arrives before its incident', async () => {
    const early = buildEvent(
      'incident.updated',
      { incident_id: 'INC-20261124-009', fingerprint: 'f', phase: 'triaged' },
      'ops-monitor',
    );
    await expect(ledger.apply(early, 'updated')).rejects.toThrow(TransientError);
  });

  it('lists newest first', async () => {
    await ledger.open(detected('INC-20261124-001'));
    const later = { ...detected('INC-20261124-002'), detected_at: '2026-11-24T11:00:00.000Z' };
    await ledger.open(later);
    expect((await ledger.list()).map((r) => r.incident_id)).toEqual([
      'INC-20261124-002',
      'INC-20261124-001',
    ]);
  });
});

describe('IncidentIdAllocator', () => {
  it('hands out INC-YYYYMMDD-NNN-EEEE per UTC day, never twice, even when writers race', async () => {
    const kv = new FakeKv('sequences');
    // 0.5 of 32⁴ = 524288 = "g000" in Crockford base32.
    const allocator = new IncidentIdAllocator(
      new TypedKv(kv.asKv(), 'sequences', counterSchema),
      () => 0.5,
    );
    const day = new Date('2026-11-24T23:59:00Z');
    const ids = await Promise.all(Array.from({ length: 12 }, () => allocator.next(day)));
    expect(new Set(ids).size).toBe(12);
    expect([...ids].sort()[0]).toBe('INC-20261124-001-g000');
    expect([...ids].sort()[11]).toBe('INC-20261124-012-g000');
    expect(await allocator.next(new Date('2026-11-25T00:00:01Z'))).toBe('INC-20261125-001-g000');
    for (const id of ids) expect(id).toMatch(INCIDENT_ID_PATTERN);
  });
  // Epoch rendering and the id's text: libs/incident/src/ids/incident-id.spec.ts.
});
