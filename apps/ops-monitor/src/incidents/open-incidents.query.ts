import { type FingerprintRecord } from '@opscrew/contracts';
import { fingerprintStoreKey } from './fingerprint-record';
import { type FingerprintStore } from './fingerprint.store';
import { type PhaseLookup } from './phase.lookup';
import { type OpenIncident } from './sighting';

/**
 * An incident explains its callers' symptoms while it was sighted this recently: long enough to
 * bridge a quiet culprit's gaps and a restart, short enough that a fault long gone blames nothing.
 */
export const OPEN_LOOKBACK_MS = 5 * 60_000;

export interface OpenIncidentsPorts {
  readonly store: FingerprintStore;
  readonly phases: PhaseLookup;
  readonly dedupWindowMs: number;
  readonly bySymptom: boolean;
}

/** Which incidents are open: for a report's `resolved`, and for blaming callers' symptoms. */
export class OpenIncidentsQuery {
  constructor(private readonly ports: OpenIncidentsPorts) {}

  /**
   * The incident open for a service (within the dedup window and announced), the real one
   * before an informational one: where a `resolved` report is noted. Read fresh, not cached.
   */
  async openIncident(
    service: string,
    symptom: string,
    now: Date,
  ): Promise<FingerprintRecord | null> {
    for (const informational of [false, true]) {
      const entry = await this.ports.store.fresh(
        fingerprintStoreKey({ service, symptom, informational }, this.ports.bySymptom),
      );
      if (
        entry?.value.announced &&
        now.getTime() - Date.parse(entry.value.last_seen_at) <= this.ports.dedupWindowMs
      )
        return entry.value;
    }
    return null;
  }

  /**
   * The services with an incident the crew is still working (announced, sighted in the last five
   * minutes, not resolved): the dependency graph blames their callers' symptoms on them, and a
   * quiet culprit stays the culprit between its own rare measurements. From this process's
   * index cache (every incident it opened or folded into), the phase from the ledger (cached).
   */
  async openIncidents(now: Date): Promise<Map<string, OpenIncident>> {
    const open = new Map<string, OpenIncident>();
    for (const value of this.ports.store.cachedValues()) {
      if (value.informational || !value.announced) continue;
      // Seen in the last few minutes: a fault that went quiet no longer explains anything.
      if (now.getTime() - Date.parse(value.last_seen_at) > OPEN_LOOKBACK_MS) continue;
      if ((await this.ports.phases.phaseOf(value.incident_id, now)) === 'resolved') continue;
      open.set(value.service, {
        incident_id: value.incident_id,
        symptom: value.symptom,
        severity: value.severity,
      });
    }
    return open;
  }
}
