import { type RemediationRunRecord } from '@opscrew/contracts';

/** Another replica moved the run on under us: drop this turn, the other one owns it. */
export class LostRunError extends Error {
  override readonly name = 'LostRunError';
}

/**
 * One claimed run for one advance: the record as persisted so far and the only way to change it.
 * Every use case works on a session; none holds the run store itself.
 */
export interface RunSession {
  /** The run as persisted so far; changed only through `save`. */
  run: RemediationRunRecord;
  /** Persists the run now (CAS, renewing this replica's claim); throws LostRunError when another replica took it over. */
  save(next: RemediationRunRecord): Promise<void>;
  /** Who acts, for the runtime's audit: the run it is for. */
  readonly caller: {
    readonly agent: string;
    readonly reason: string;
    readonly incident_id: string;
  };
}
