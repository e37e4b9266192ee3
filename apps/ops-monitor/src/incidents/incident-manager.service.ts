import { Inject, Injectable } from '@nestjs/common';
import { type FingerprintRecord } from '@opscrew/contracts';
import {
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KV_MUTATE_MAX_ATTEMPTS,
  KvContentionError,
  type TypedKv,
} from '@opscrew/messaging';
import { FINGERPRINTS_KV, INCIDENT_ANNOUNCER, INCIDENT_OPTIONS } from '../ops-monitor.tokens';
import { fingerprintStoreKey, newRecord } from './fingerprint-record';
import { FingerprintStore } from './fingerprint.store';
import { decideFold } from './fold-decision';
import { IncidentOpener, isAbandonedOpening } from './incident.opener';
import { OpenIncidentsQuery } from './open-incidents.query';
import { PhaseLookup } from './phase.lookup';
import {
  type IncidentAnnouncer,
  type IncidentManagerOptions,
  type IncidentResult,
  type OpenIncident,
  type Sighting,
} from './sighting';

// The front's public vocabulary, where its importers have always found it.
export { displayFingerprint, fingerprintStoreKey } from './fingerprint-record';
export type {
  IncidentAnnouncer,
  IncidentManagerOptions,
  IncidentOutcome,
  OpenIncident,
  Sighting,
  SightingReport,
} from './sighting';

/**
 * Turns anomalies into incidents, exactly one per faulty service within the dedup window:
 * one fault shows as several symptoms (errors, latency, their drifts), and every one of them
 * folds into the service's incident (`symptoms`, the first one primary; severity the worst),
 * as do its callers' symptoms that the dependency graph explains (`impact`). The `fingerprints`
 * bucket is the dedup index, written only by compare-and-swap, so two ops-monitor replicas never
 * open two incidents for one fingerprint. Opening is finished in an order that survives a crash
 * at any point (IncidentOpener); an unannounced entry is completed later by `finishPending`.
 *
 * The front: it queues sightings per key and runs the CAS loop; the fold itself is
 * `decideFold` (pure), the index and its cache `FingerprintStore`, the ledger phase
 * `PhaseLookup`, the opening `IncidentOpener`, the open-incident questions `OpenIncidentsQuery`.
 */
@Injectable()
export class IncidentManager {
  private readonly now: () => Date;
  /** `alerting.dedup.key_fields` includes `symptom`: one incident per symptom, not per service. */
  private readonly bySymptom: boolean;
  /** Per-key queue: sightings of one fingerprint in this process never race each other. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly store: FingerprintStore;
  private readonly phases: PhaseLookup;
  private readonly opener: IncidentOpener;
  private readonly query: OpenIncidentsQuery;

  constructor(
    @Inject(FINGERPRINTS_KV) fingerprints: TypedKv<FingerprintRecord>,
    ledger: IncidentLedger,
    private readonly ids: IncidentIdAllocator,
    publisher: EventPublisher,
    @Inject(INCIDENT_ANNOUNCER) announcer: IncidentAnnouncer,
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentManagerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.bySymptom = options.keyFields?.includes('symptom') ?? false;
    this.store = new FingerprintStore(fingerprints);
    this.phases = new PhaseLookup(ledger);
    this.opener = new IncidentOpener({ store: this.store, ledger, publisher, announcer });
    this.query = new OpenIncidentsQuery({
      store: this.store,
      phases: this.phases,
      dedupWindowMs: options.dedupWindowMs,
      bySymptom: this.bySymptom,
    });
  }

  async handle(anomaly: Sighting): Promise<IncidentResult> {
    const key = fingerprintStoreKey(anomaly, this.bySymptom);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const result = previous.then(() => this.handleKey(key, anomaly));
    const settled = result.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }

  /** See OpenIncidentsQuery.openIncident. */
  async openIncident(service: string, symptom: string): Promise<FingerprintRecord | null> {
    return this.query.openIncident(service, symptom, this.now());
  }

  /** See OpenIncidentsQuery.openIncidents. */
  async openIncidents(now: Date = this.now()): Promise<Map<string, OpenIncident>> {
    return this.query.openIncidents(now);
  }

  /** Completes openings a crash interrupted (index written, not yet announced). */
  async finishPending(): Promise<number> {
    return this.opener.finishPending();
  }

  /**
   * Its own CAS loop, not TypedKv.mutate, on purpose: deciding here is not pure. Opening
   * allocates an incident id (a counter write), folding asks the ledger for the phase (an
   * async read) — mutate's decide is synchronous and may run several times — and the first
   * read comes from this process's cache. It shares mutate's attempt bound and error.
   */
  private async handleKey(key: string, anomaly: Sighting): Promise<IncidentResult> {
    for (let attempt = 1; attempt <= KV_MUTATE_MAX_ATTEMPTS; attempt++) {
      const now = this.now();
      const current = await this.store.current(key);
      if (
        current &&
        now.getTime() - Date.parse(current.value.last_seen_at) <= this.options.dedupWindowMs
      ) {
        if (anomaly.report && current.value.report_ids?.includes(anomaly.report.id))
          return this.alreadyFolded(key, current.value, current.revision, now);
        const result = await this.fold(key, current.value, current.revision, anomaly, now);
        if (result) return result;
        // Our view was stale (another replica wrote): read again.
        this.store.forget(key);
        continue;
      }
      const incidentId = await this.ids.next(now);
      const record = newRecord(incidentId, anomaly, now);
      const revision = await this.store.write(key, record, current ? current.revision : null);
      if (revision === null) {
        this.store.forget(key); // another replica got there first: fold into theirs
        continue;
      }
      await this.opener.announce(key, record, revision);
      return { outcome: 'opened', record: { ...record, announced: true } };
    }
    throw new KvContentionError(this.store.bucket, key, KV_MUTATE_MAX_ATTEMPTS);
  }

  /**
   * A report folded before (its ack was lost, so it came again): nothing is counted twice. What
   * may not have happened is the step after the write — the opening's announcement or the
   * update's publish — so that is repeated, idempotently (same Msg-Id, same ledger event).
   */
  private async alreadyFolded(
    key: string,
    record: FingerprintRecord,
    revision: number,
    now: Date,
  ): Promise<IncidentResult> {
    if (!record.announced) {
      if (isAbandonedOpening(record, now)) await this.opener.announce(key, record, revision);
    } else if (record.count > 1) {
      await this.opener.publishUpdate(record, `${record.severity}: ${record.detail}`, false);
    }
    return { outcome: 'unchanged', record };
  }

  /** One fold by CAS; null when another writer got there first. */
  private async fold(
    key: string,
    record: FingerprintRecord,
    revision: number,
    anomaly: Sighting,
    now: Date,
  ): Promise<IncidentResult | null> {
    // The phase is asked before the write, as the fold needs it: a recurrence after resolution.
    const phase = record.announced ? await this.phases.phaseOf(record.incident_id, now) : undefined;
    const { next, meaningful, reopen } = decideFold(record, anomaly, now, phase);
    const written = await this.store.write(key, next, revision);
    if (written === null) return null;
    if (!record.announced) {
      // Its opener crashed (or is still at it): complete the opening only once it is clearly abandoned.
      if (isAbandonedOpening(record, now)) await this.opener.announce(key, next, written);
      return { outcome: 'updated', record: next };
    }
    // A report is a discrete event: the ledger counts every one (a detection only on news).
    if (!meaningful && !anomaly.report) return { outcome: 'unchanged', record: next };
    await this.opener.publishUpdate(
      next,
      reopen
        ? `recurred after resolution: ${anomaly.detail}`
        : `${next.severity}: ${anomaly.detail}`,
      reopen,
    );
    return { outcome: reopen ? 'reopened' : 'updated', record: next };
  }
}
