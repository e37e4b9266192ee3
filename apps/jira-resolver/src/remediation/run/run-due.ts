import { ACTIVE_RUN_STATES, type RemediationRunRecord } from '@opscrew/contracts';
import { LEASE_RENEW_AT_REMAINING } from './run-lease';

/**
 * When a run next needs a step (epoch ms), or null once it finished: its entry in the
 * `remediations` due index, and the time half of RunClaims.due (which adds the one check that
 * needs I/O: whether the lock a deferred run waits behind is free). It errs early, never late:
 * the engine decides again on the record it reads, so an early entry costs one read.
 * - a held service lease wants renewing before it lapses;
 * - deferred by a guard: at the guard's `until`;
 * - deferred behind a lock: always due (a read per tick, as before the index, and
 *   `lock.released` kicks the worker at once) — its time is `updated_at`, a fixed instant, so
 *   the entry is not rewritten every tick;
 * - otherwise `next_at`.
 */
export function runDueAt(run: RemediationRunRecord): number | null {
  if (!ACTIVE_RUN_STATES.includes(run.state)) return null;
  const times: number[] = [];
  const hold = run.lease;
  if (hold) times.push(Date.parse(hold.expires_at) - hold.ttl_ms * LEASE_RENEW_AT_REMAINING);
  if (run.state === 'deferred' && run.deferred) {
    times.push(Date.parse(run.deferred.kind === 'guard' ? run.deferred.until : run.updated_at));
  } else {
    times.push(Date.parse(run.next_at));
  }
  const known = times.filter((time) => Number.isFinite(time));
  // A time that does not parse (the schema checks them, so never in practice): look now.
  return known.length === 0 ? 0 : Math.max(0, Math.floor(Math.min(...known)));
}
