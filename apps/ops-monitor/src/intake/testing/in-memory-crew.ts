import { loadConfig, type OpscrewConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  FingerprintRecord,
  IncidentRecord,
  type LeaseRecord,
  SilenceRecord,
} from '@opscrew/contracts';
import {
  counterSchema,
  IncidentIdAllocator,
  IncidentLedger,
  SilenceStore,
  TypedKv,
} from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingPublisher } from '@opscrew/testing';
import { IncidentManager } from '../../incidents/incident-manager.service';
import { ReportIntake } from '../report-intake.service';

/** The shipped config (services, aliases, bands), read once per test file. */
export function shippedConfig(): OpscrewConfig {
  return loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
}

/**
 * One crew in memory: the fingerprint index, the ledger and the id counter as fake KV
 * buckets with real CAS, shared by as many ops-monitor replicas (IncidentManager +
 * ReportIntake) as a test asks for, and atlas's ledger recorder applying the updates.
 */
export class InMemoryCrew {
  /** JetStream as far as the fold needs it: stored once per Msg-Id, validated, in order. */
  readonly bus = new RecordingPublisher('ops-monitor');
  readonly opened: FingerprintRecord[] = [];
  readonly locked = new Map<string, LeaseRecord>();
  readonly ledger: IncidentLedger;
  /** Maintenance windows (/silence), shared by every replica as the bucket is. */
  readonly silences = new SilenceStore(
    new TypedKv(new FakeKv('silences').asKv(), 'silences', { class: SilenceRecord }),
  );
  /** Runs inside every announcement (ticket + alert): lets a test act while an opening is in flight. */
  duringAnnouncement: (() => Promise<void>) | null = null;
  private readonly fingerprintsKv = new FakeKv('fingerprints');
  private readonly sequencesKv = new FakeKv('sequences');

  constructor(
    readonly config: OpscrewConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
  }

  fingerprints(): TypedKv<FingerprintRecord> {
    return new TypedKv(this.fingerprintsKv.asKv(), 'fingerprints', { class: FingerprintRecord });
  }

  /** An ops-monitor replica: its own caches and queues over the shared buckets. */
  replica(): { manager: IncidentManager; intake: ReportIntake } {
    const publisher = this.bus.asEventPublisher();
    const manager = new IncidentManager(
      this.fingerprints(),
      this.ledger,
      new IncidentIdAllocator(new TypedKv(this.sequencesKv.asKv(), 'sequences', counterSchema)),
      publisher,
      {
        opened: async (record) => {
          await this.duringAnnouncement?.();
          this.opened.push(record);
        },
      },
      {
        dedupWindowMs: this.config.thresholds.alerting.dedup.window_minutes * 60_000,
        now: this.now,
      },
    );
    const intake = new ReportIntake(
      this.config,
      manager,
      { read: () => Promise.resolve(new Map(this.locked)) },
      publisher,
      this.now,
      this.silences,
    );
    return { manager, intake };
  }

  /** What atlas's ledger recorder does with the updates published so far (idempotent). */
  async recordUpdates(): Promise<void> {
    for (const update of this.bus.of('incident.updated'))
      await this.ledger.apply(update, 'updated');
  }
}
