import { type RemediationRunRecord } from '@opscrew/contracts';
import { type KvRevisioned, type LeaseService } from '@opscrew/messaging';
import { type RemediationRunsRepository } from '../remediation-runs.repository';
import { runDueAt } from './run-due';
import { LEASE_RENEW_AT_REMAINING } from './run-lease';
import { LostRunError, type RunSession } from './run-session';

/**
 * How long a replica owns a run it is driving. Every advance renews it; a
 * replica that died leaves the run to another after this.
 */
export const RUN_CLAIM_MS = 30_000;

/** What run ownership needs: CAS writes of runs, who holds a service's lock, the time, who we are. */
export interface RunClaimsPorts {
  readonly runs: Pick<RemediationRunsRepository, 'update'>;
  readonly leases: Pick<LeaseService, 'current'>;
  readonly now: () => Date;
  /** This replica: the run owner written on every save. */
  readonly holder: string;
}

/**
 * Run ownership: whether this replica may work on a run now, and the session that
 * writes it by CAS, renewing the claim with every save. One incident, one driver,
 * however many replicas tick.
 */
export class RunClaims {
  constructor(private readonly ports: RunClaimsPorts) {}

  /** Whether the run is free for us: ours already, or its owner's claim ran out. */
  mayTake(run: RemediationRunRecord, now: Date): boolean {
    return run.owner === this.ports.holder || Date.parse(run.owner_until) <= now.getTime();
  }

  /**
   * Whether the run has something to do now, decided without writing: a run
   * waiting out a timer or a lock costs one KV read per tick, not a write.
   */
  async due(run: RemediationRunRecord, now: Date): Promise<boolean> {
    // The times (lease renewal, a guard's `until`, `next_at`) are the due index's: one rule.
    const at = runDueAt(run);
    if (at === null || at > now.getTime()) return false;
    const hold = run.lease;
    const renewLease =
      hold !== undefined &&
      Date.parse(hold.expires_at) - now.getTime() <= hold.ttl_ms * LEASE_RENEW_AT_REMAINING;
    if (run.state === 'deferred' && run.deferred?.kind === 'lock' && !renewLease) {
      // Deferred behind a lock: free when its holder went.
      const lease = await this.ports.leases.current(`service.${run.service}`);
      return !lease || lease.holder !== run.deferred.holder;
    }
    return true;
  }

  /** A session on the entry as read; nothing is written until its first `save` (the claim). */
  open(entry: KvRevisioned<RemediationRunRecord>): RunSession {
    const { runs, now, holder } = this.ports;
    let revision = entry.revision;
    const first = entry.value;
    const session: RunSession = {
      run: first,
      save: async (next) => {
        const claimed: RemediationRunRecord = {
          ...next,
          owner: holder,
          owner_until: new Date(now().getTime() + RUN_CLAIM_MS).toISOString(),
          updated_at: now().toISOString(),
        };
        const written = await runs.update(claimed, revision);
        if (written === null)
          throw new LostRunError(`run ${first.incident_id} moved on in another replica`);
        revision = written;
        session.run = claimed;
      },
      caller: {
        agent: 'jira-resolver',
        reason: `${first.incident_id} (run ${first.run_id})`,
        incident_id: first.incident_id,
      },
    };
    return session;
  }
}
