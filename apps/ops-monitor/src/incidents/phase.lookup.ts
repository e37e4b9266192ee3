import { type IncidentLedger } from '@opscrew/messaging';

/**
 * How long a looked-up incident phase is trusted. Reopening needs to know whether
 * the crew resolved the incident; asking the ledger on every sighting of every
 * open incident would triple the KV traffic of a storm for a fact that changes
 * rarely. A recurrence is still caught within this delay.
 */
export const PHASE_CACHE_MS = 10_000;
/** Past this many cached phases the cache starts over: entries of long-closed incidents go. */
const MAX_CACHED_PHASES = 10_000;

/** An incident's ledger phase, cached for PHASE_CACHE_MS. */
export class PhaseLookup {
  private readonly phases = new Map<string, { phase: string | undefined; at: number }>();

  constructor(private readonly ledger: Pick<IncidentLedger, 'get'>) {}

  async phaseOf(incidentId: string, now: Date): Promise<string | undefined> {
    const cached = this.phases.get(incidentId);
    if (cached && now.getTime() - cached.at < PHASE_CACHE_MS) return cached.phase;
    const phase = (await this.ledger.get(incidentId))?.phase;
    if (this.phases.size > MAX_CACHED_PHASES) this.phases.clear();
    this.phases.set(incidentId, { phase, at: now.getTime() });
    return phase;
  }
}
