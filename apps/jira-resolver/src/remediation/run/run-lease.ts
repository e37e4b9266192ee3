import { type RemediationRunRecord, SUBJECTS } from '@opscrew/contracts';
import { type Lease, LeaseLostError, type LeaseService } from '@opscrew/messaging';
import { RESTART_LEASE_TTL_MS } from '../actions/restart-service.action';
import { type PublisherLike } from '../remediation.deps';
import { type RunSession } from './run-session';

/** Renew the run's lease when less than this share of its TTL is left (the lease pattern: ~75 %). */
export const LEASE_RENEW_AT_REMAINING = 0.25;

export interface RunLeasePorts {
  readonly leases: Pick<LeaseService, 'renew' | 'release'>;
  readonly publisher: PublisherLike;
  readonly now: () => Date;
}

/** The service lock a run holds across advances (taken by restart_service): kept alive, then given back. */
export class RunLease {
  constructor(private readonly ports: RunLeasePorts) {}

  /**
   * Keeps the run's lease alive while it works (the lease pattern). A lost lease stops the run:
   * the reason to escalate with comes back, null while the lock is still ours.
   */
  async renew(session: RunSession): Promise<string | null> {
    const hold = session.run.lease;
    if (!hold) return null;
    const remaining = Date.parse(hold.expires_at) - this.ports.now().getTime();
    if (remaining > hold.ttl_ms * LEASE_RENEW_AT_REMAINING) return null;
    try {
      const renewed = await this.ports.leases.renew(
        toLease(hold, session.run.incident_id),
        RESTART_LEASE_TTL_MS,
      );
      await session.save({
        ...session.run,
        lease: { ...hold, revision: renewed.revision, expires_at: renewed.expires_at },
      });
      return null;
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      await session.save({ ...session.run, lease: undefined });
      return `lost the lock on ${session.run.service} (it expired and was taken): stopped acting`;
    }
  }

  /** Gives the lock back when the run ends, and says so on the bus (waiting runs resume). */
  async release(session: RunSession): Promise<void> {
    const hold = session.run.lease;
    if (!hold) return;
    const released = await this.ports.leases.release(toLease(hold, session.run.incident_id));
    if (released) {
      await this.ports.publisher.publish(SUBJECTS.lockReleased, {
        service: session.run.service,
        holder: hold.holder,
        revision: hold.revision,
        reason: 'released',
      });
    }
  }
}

function toLease(hold: NonNullable<RemediationRunRecord['lease']>, incidentId: string): Lease {
  return {
    key: hold.key,
    holder: hold.holder,
    revision: hold.revision,
    acquired_at: hold.acquired_at,
    expires_at: hold.expires_at,
    ttl_ms: hold.ttl_ms,
    reason: `restart for ${incidentId}`,
  };
}
