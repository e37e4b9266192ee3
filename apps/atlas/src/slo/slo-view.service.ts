import { Inject, Injectable } from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage, KV_BUCKETS } from '@opscrew/contracts';
import {
  type BurnAlertPolicy,
  conformLedger,
  ledgerLayout,
  resolveSloSettings,
  type ServiceSloStatus,
  serviceSloStatus,
  type SloLedger,
  sloLedgerKey,
  type SloSettings,
  validateSloLedger,
  windowLabel,
} from '@opscrew/incident';
import {
  KvCorruptValueError,
  KvFactory,
  type KvRevisioned,
  type TypedKv,
} from '@opscrew/messaging';

/** GET /slo: every configured service's objectives, as of `at`. */
export interface SloAnswer {
  readonly at: string;
  /** The burn-rate alerts in force (thresholds.slo.burn_alerts, the workbook's by default). */
  readonly burn_alerts: readonly {
    readonly name: BurnAlertPolicy['name'];
    readonly burn_rate: number;
    readonly long_window: string;
    readonly short_window: string;
    readonly severity: BurnAlertPolicy['severity'];
    readonly min_coverage_ratio: number;
  }[];
  readonly services: readonly ServiceSloStatus[];
  /** Services whose stored counts could not be read (a corrupt value): left out, never shown as "no data". */
  readonly unreadable: readonly { readonly service: string; readonly error: string }[];
}

/**
 * The SLOs as atlas shows them (GET /slo, the slo-daily report): ops-monitor's SLI counts from
 * the `slo` bucket, judged with the same pure code (libs/incident) and the same config, so the
 * alert state shown is the one ops-monitor acts on. Read on demand: an answer is a handful of
 * KV gets, and the bucket is opened on first use (atlas starts before ops-monitor wrote any).
 */
@Injectable()
export class SloView {
  private readonly settings: SloSettings;
  private bucket: Promise<TypedKv<SloLedger>> | null = null;

  constructor(
    private readonly kv: KvFactory,
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
  ) {
    this.settings = resolveSloSettings(loaded.config.thresholds.slo);
  }

  async answer(now: Date = new Date()): Promise<SloAnswer> {
    const kv = await this.open();
    const services: ServiceSloStatus[] = [];
    const unreadable: { service: string; error: string }[] = [];
    for (const slo of this.settings.services.values()) {
      const layout = ledgerLayout(slo, this.settings.alerts);
      let stored: KvRevisioned<SloLedger> | null;
      try {
        stored = await kv.get(sloLedgerKey(slo.service));
      } catch (error) {
        // One bad value hides one service, not the page; a bus failure still fails the answer.
        if (!(error instanceof KvCorruptValueError)) throw error;
        unreadable.push({ service: slo.service, error: errorMessage(error) });
        continue;
      }
      const ledger = stored ? conformLedger(stored.value, layout) : null;
      services.push(serviceSloStatus(slo, ledger, layout, this.settings.alerts, now.getTime()));
    }
    return {
      at: now.toISOString(),
      burn_alerts: this.settings.alerts.map((alert) => ({
        name: alert.name,
        burn_rate: alert.burn_rate,
        long_window: windowLabel(alert.long_window_ms),
        short_window: windowLabel(alert.short_window_ms),
        severity: alert.severity,
        min_coverage_ratio: alert.min_coverage_ratio,
      })),
      services,
      unreadable,
    };
  }

  private open(): Promise<TypedKv<SloLedger>> {
    if (this.bucket === null) {
      const opening = this.kv.open(KV_BUCKETS.slo, { validate: validateSloLedger });
      // A failed open (bucket not provisioned yet) is tried again on the next request.
      opening.catch(() => {
        if (this.bucket === opening) this.bucket = null;
      });
      this.bucket = opening;
    }
    return this.bucket;
  }
}
