import { type RemediationRunRecord } from '@opscrew/contracts';
import { runDueAt } from './run-due';

const at = (iso: string): number => Date.parse(iso);

const run = (fields: Partial<RemediationRunRecord>): RemediationRunRecord =>
  ({
    state: 'running',
    next_at: '2026-11-24T10:00:00.000Z',
    updated_at: '2026-11-24T09:00:00.000Z',
    ...fields,
  }) as RemediationRunRecord;

describe('runDueAt (the remediations due index entry of a run)', () => {
  it('is next_at for a run that waits on a timer', () => {
    expect(runDueAt(run({ state: 'verifying' }))).toBe(at('2026-11-24T10:00:00.000Z'));
  });

  it('is null once the run finished: it leaves the index', () => {
    for (const state of ['succeeded', 'failed', 'skipped'] as const) {
      expect(runDueAt(run({ state }))).toBeNull();
    }
  });

  it('is the guard’s until for a guard deferral, and always (updated_at) behind a lock', () => {
    const deferred = { holder: 'x', until: '2026-11-24T11:00:00.000Z', reason: 'r' };
    expect(runDueAt(run({ state: 'deferred', deferred: { ...deferred, kind: 'guard' } }))).toBe(
      at('2026-11-24T11:00:00.000Z'),
    );
    expect(runDueAt(run({ state: 'deferred', deferred: { ...deferred, kind: 'lock' } }))).toBe(
      at('2026-11-24T09:00:00.000Z'),
    );
    // Records written before guards deferred have no kind: a lock.
    expect(runDueAt(run({ state: 'deferred', deferred }))).toBe(at('2026-11-24T09:00:00.000Z'));
  });

  it('comes early enough to renew a held lease (a quarter of its TTL left)', () => {
    const lease = {
      key: 'service.cart',
      holder: 'h',
      revision: 1,
      acquired_at: '2026-11-24T09:59:00.000Z',
      expires_at: '2026-11-24T10:00:00.000Z',
      ttl_ms: 60_000,
    };
    expect(runDueAt(run({ state: 'verifying', next_at: '2026-11-24T12:00:00.000Z', lease }))).toBe(
      at('2026-11-24T09:59:45.000Z'),
    );
  });
});
