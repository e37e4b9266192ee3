import { Logger } from '@nestjs/common';
import { type FingerprintRecord, SUBJECTS } from '@opscrew/contracts';
import {
  type EventPublisher,
  type IncidentIdAllocator,
  type IncidentLedger,
  type TypedKv,
} from '@opscrew/messaging';
import { type Anomaly } from '../detection/anomaly';
import { maxSeverity, severityRank } from '../detection/severity.classifier';

/** Concurrent replicas race on a fingerprint for a round or two; bounded all the same. */
const MAX_CAS_ATTEMPTS = 10;
/** A peak 25 % above the last published one is news; smaller wobbles are not worth an event. */
const MEANINGFUL_PEAK_GROWTH = 1.25;
/**
 * How long a looked-up incident phase is trusted. Reopening needs to know whether
 * the crew resolved the incident; asking the ledger on every sighting of every
 * open incident would triple the KV traffic of a storm for a fact that changes
 * rarely. A recurrence is still caught within this delay.
 */
const PHASE_CACHE_MS = 10_000;
/**
 * An index entry left unannounced this long lost its opener (a crash): whoever
 * sees it next completes the opening. Younger ones are still being opened.
 */
const STALE_OPENING_MS = 30_000;
/** Bound on the local index cache; a storm beyond it just reads from KV again. */
const MAX_CACHED_FINGERPRINTS = 50_000;

/** What the announcer does once an incident is opened (ticket + alert through the outbox). */
export interface IncidentAnnouncer {
  opened(record: FingerprintRecord): Promise<void>;
}

export type IncidentOutcome = 'opened' | 'updated' | 'unchanged' | 'reopened';

export interface IncidentManagerOptions {
  readonly dedupWindowMs: number;
  readonly now?: () => Date;
}

/**
 * Turns anomalies into incidents, exactly one per fingerprint (service +
 * symptom) within the dedup window. The `fingerprints` bucket is the dedup
 * index, written only by compare-and-swap, so two ops-monitor replicas never
 * open two incidents for one fingerprint. Opening is finished in an order that
 * survives a crash at any point: index entry (announced: false) → ledger →
 * `incident.detected` (deterministic Msg-Id) → announcer → announced: true;
 * an unannounced entry is completed later by `finishPending`.
 */
export class IncidentManager {
  private readonly logger = new Logger(IncidentManager.name);
  private readonly now: () => Date;
  private readonly phases = new Map<string, { phase: string | undefined; at: number }>();
  /** Last known index entry per key: a fold usually needs one CAS write, not a read and a write. */
  private readonly cache = new Map<string, { value: FingerprintRecord; revision: number }>();
  /** Per-key queue: sightings of one fingerprint in this process never race each other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly fingerprints: TypedKv<FingerprintRecord>,
    private readonly ledger: IncidentLedger,
    private readonly ids: IncidentIdAllocator,
    private readonly publisher: EventPublisher,
    private readonly announcer: IncidentAnnouncer,
    private readonly options: IncidentManagerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async handle(anomaly: Anomaly): Promise<{ outcome: IncidentOutcome; record: FingerprintRecord }> {
    const key = fingerprintKey(anomaly);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const result = previous.then(() => this.handleKey(key, anomaly));
    const settled = result.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return result;
  }

  private async handleKey(
    key: string,
    anomaly: Anomaly,
  ): Promise<{ outcome: IncidentOutcome; record: FingerprintRecord }> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const now = this.now();
      const current = this.cache.get(key) ?? (await this.read(key));
      if (
        current &&
        now.getTime() - Date.parse(current.value.last_seen_at) <= this.options.dedupWindowMs
      ) {
        const result = await this.fold(key, current.value, current.revision, anomaly, now);
        if (result) return result;
        // Our view was stale (another replica wrote): read again.
        this.cache.delete(key);
        continue;
      }
      const incidentId = await this.ids.next(now);
      const record = newRecord(incidentId, anomaly, now);
      const revision = current
        ? await this.fingerprints.update(key, record, current.revision)
        : await this.fingerprints.create(key, record);
      if (revision === null) {
        this.cache.delete(key); // another replica got there first: fold into theirs
        continue;
      }
      this.remember(key, record, revision);
      await this.announce(key, record, revision);
      return { outcome: 'opened', record: { ...record, announced: true } };
    }
    throw new Error(
      `fingerprint ${key}: could not record the anomaly after ${MAX_CAS_ATTEMPTS} attempts (write contention)`,
    );
  }

  private async read(key: string): Promise<{ value: FingerprintRecord; revision: number } | null> {
    const entry = await this.fingerprints.get(key);
    if (entry) this.remember(key, entry.value, entry.revision);
    return entry;
  }

  private remember(key: string, value: FingerprintRecord, revision: number): void {
    if (this.cache.size >= MAX_CACHED_FINGERPRINTS && !this.cache.has(key)) this.cache.clear();
    this.cache.set(key, { value, revision });
  }

  /** Completes openings a crash interrupted (index written, not yet announced). */
  async finishPending(): Promise<number> {
    let finished = 0;
    for (const item of await this.fingerprints.values()) {
      if (item.value.announced) continue;
      await this.announce(item.key, item.value, item.revision);
      finished++;
    }
    return finished;
  }

  private async fold(
    key: string,
    record: FingerprintRecord,
    revision: number,
    anomaly: Anomaly,
    now: Date,
  ): Promise<{ outcome: IncidentOutcome; record: FingerprintRecord } | null> {
    const next: FingerprintRecord = {
      ...record,
      last_seen_at: now.toISOString(),
      count: record.count + 1,
      last_value: anomaly.value,
      peak_value: Math.max(record.peak_value, anomaly.value),
      severity: maxSeverity(record.severity, anomaly.severity),
    };
    // A recurrence after the crew resolved it means the fix did not hold.
    const phase = record.announced ? await this.phaseOf(record.incident_id, now) : undefined;
    const reopen = phase === 'resolved';
    const meaningful =
      reopen ||
      severityRank(next.severity) > severityRank(record.published_severity) ||
      next.peak_value >= record.published_peak * MEANINGFUL_PEAK_GROWTH;
    if (meaningful) {
      next.published_peak = next.peak_value;
      next.published_severity = next.severity;
    }
    const written = await this.fingerprints.update(key, next, revision);
    if (written === null) return null;
    this.remember(key, next, written);
    if (!record.announced) {
      // Its opener crashed (or is still at it): complete the opening only once it is clearly abandoned.
      if (now.getTime() - Date.parse(record.opened_at) >= STALE_OPENING_MS)
        await this.announce(key, next, written);
      return { outcome: 'updated', record: next };
    }
    if (!meaningful) return { outcome: 'unchanged', record: next };
    await this.publisher.publish(
      SUBJECTS.incidentUpdated,
      {
        incident_id: next.incident_id,
        fingerprint: displayFingerprint(next),
        ...(reopen ? { phase: 'reopened' as const } : {}),
        severity: next.severity,
        count: next.count,
        last_value: next.last_value,
        peak_value: next.peak_value,
        note: reopen
          ? `recurred after resolution: ${anomaly.detail}`
          : `${next.severity}: ${anomaly.detail}`,
      },
      // One event per state: a retry of the same update is dropped by JetStream.
      { id: `incident.updated.${next.incident_id}.${next.count}` },
    );
    return { outcome: reopen ? 'reopened' : 'updated', record: next };
  }

  private async phaseOf(incidentId: string, now: Date): Promise<string | undefined> {
    const cached = this.phases.get(incidentId);
    if (cached && now.getTime() - cached.at < PHASE_CACHE_MS) return cached.phase;
    const phase = (await this.ledger.get(incidentId))?.phase;
    // Bounded: entries of long-closed incidents are dropped when the map grows past a storm's size.
    if (this.phases.size > 10_000) this.phases.clear();
    this.phases.set(incidentId, { phase, at: now.getTime() });
    return phase;
  }

  private async announce(key: string, record: FingerprintRecord, revision: number): Promise<void> {
    const event = {
      incident_id: record.incident_id,
      fingerprint: displayFingerprint(record),
      service: record.service,
      symptom: record.symptom,
      severity: record.severity,
      value: record.first_value,
      ...(record.threshold !== undefined ? { threshold: record.threshold } : {}),
      metric: record.metric,
      detected_at: record.opened_at,
      ...(record.informational ? { informational: true } : {}),
      evidence: { rule: record.rule, detail: record.detail.slice(0, 1000) },
    };
    const id = `incident.detected.${record.incident_id}`;
    const published = await this.publisher.publish(SUBJECTS.incidentDetected, event, {
      id,
      at: record.opened_at,
    });
    await this.ledger.open(published.event);
    if (!record.informational) await this.announcer.opened(record);
    // Marked last: a crash before this line repeats only idempotent steps.
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const current =
        attempt === 1 ? { value: record, revision } : await this.fingerprints.get(key);
      if (!current || current.value.incident_id !== record.incident_id || current.value.announced)
        return;
      const marked = { ...current.value, announced: true };
      const written = await this.fingerprints.update(key, marked, current.revision);
      if (written !== null) {
        this.remember(key, marked, written);
        this.logger.log(
          `opened ${record.incident_id}: ${displayFingerprint(record)} (${record.severity}) — ${record.detail}`,
        );
        return;
      }
    }
  }
}

/** The KV key of a fingerprint; informational sightings keep their own, so a real incident still opens after the lock. */
export function fingerprintKey(
  anomaly: Pick<Anomaly, 'service' | 'symptom' | 'informational'>,
): string {
  return `${anomaly.service}.${anomaly.symptom}${anomaly.informational ? '.informational' : ''}`;
}

export function displayFingerprint(record: Pick<FingerprintRecord, 'service' | 'symptom'>): string {
  return `${record.service}:${record.symptom}`;
}

function newRecord(incidentId: string, anomaly: Anomaly, now: Date): FingerprintRecord {
  const at = now.toISOString();
  return {
    fingerprint: displayFingerprint(anomaly),
    incident_id: incidentId,
    service: anomaly.service,
    symptom: anomaly.symptom,
    severity: anomaly.severity,
    metric: anomaly.metric,
    rule: anomaly.rule,
    detail: anomaly.detail.slice(0, 2000),
    ...(anomaly.threshold !== undefined ? { threshold: anomaly.threshold } : {}),
    opened_at: at,
    last_seen_at: at,
    count: 1,
    first_value: anomaly.value,
    last_value: anomaly.value,
    peak_value: anomaly.value,
    published_peak: anomaly.value,
    published_severity: anomaly.severity,
    announced: false,
    informational: anomaly.informational,
  };
}
