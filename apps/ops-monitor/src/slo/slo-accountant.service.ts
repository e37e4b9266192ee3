import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import {
  accountSample,
  conformLedger,
  emptyLedger,
  type LedgerLayout,
  ledgerLayout,
  mergeLedgers,
  pruneLedger,
  type ServiceSloStatus,
  serviceSloStatus,
  type SloLedger,
  type SloSettings,
  sloLedgerKey,
} from '@opscrew/incident';
import { type MetricsSnapshot } from '@opscrew/integrations';
import { type TypedKv } from '@opscrew/messaging';
import { type Sighting } from '../incidents/sighting';
import { SLO_KV, SLO_SETTINGS } from '../ops-monitor.tokens';

/** The metric an SLO burn sighting is measured in: a multiple of the sustainable burn rate. */
export const BURN_RATE_METRIC = 'error_budget_burn_rate';

/**
 * The SLI accounting (issue 11): every cycle's samples go into each service's bucketed ledger
 * (libs/incident slo-ledger), and every objective whose budget burns too fast over both of an
 * alert's windows becomes a sighting (`slo_burn_fast` / `slo_burn_slow`) that the incident
 * manager folds like any other symptom. The ledgers live in memory and in the `slo` bucket:
 * restored on the first cycle, written at most every `persist_interval_s` per service, by CAS
 * and merged (never summed) with what another replica wrote — so a restart keeps the window.
 * A KV failure never stops detection: counting goes on in memory and is written later.
 */
@Injectable()
export class SloAccountant implements OnApplicationShutdown {
  private readonly logger = new Logger(SloAccountant.name);
  private readonly ledgers = new Map<string, SloLedger>();
  private readonly layouts = new Map<string, LedgerLayout>();
  private readonly persistedAt = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private restored = false;
  /** The last cycle's time: what a flush prunes against (the cycle's clock, not the wall's). */
  private lastCycleMs: number | null = null;

  constructor(
    @Inject(SLO_KV) private readonly kv: TypedKv<SloLedger>,
    @Inject(SLO_SETTINGS) private readonly settings: SloSettings,
  ) {
    for (const [service, slo] of settings.services)
      this.layouts.set(service, ledgerLayout(slo, settings.alerts));
  }

  /** Accounts one cycle and answers the burning budgets; `deliberate`: services under a load test. */
  async observe(
    snapshot: MetricsSnapshot,
    deliberate: ReadonlySet<string>,
    now: Date,
  ): Promise<Sighting[]> {
    if (this.settings.services.size === 0) return [];
    await this.restore();
    const nowMs = now.getTime();
    this.lastCycleMs = nowMs;
    for (const sample of snapshot.samples) {
      const slo = this.settings.services.get(sample.service);
      const layout = this.layouts.get(sample.service);
      if (!slo || !layout) continue;
      const atMs = Date.parse(sample.at);
      if (!Number.isFinite(atMs)) continue;
      const ledger = this.ledgers.get(sample.service) ?? emptyLedger(sample.service, layout);
      const next = accountSample(
        ledger,
        {
          at_ms: atMs,
          window_s: sample.window_s,
          request_rate_rps: sample.request_rate_rps,
          error_rate_ratio: sample.error_rate_ratio,
          latency_p99_ms: sample.latency_p99_ms,
        },
        slo.latency.latency_p99_ms ?? Infinity,
      );
      if (next !== ledger) {
        this.ledgers.set(sample.service, pruneLedger(next, layout, nowMs));
        this.dirty.add(sample.service);
      }
    }
    await this.persistDue(nowMs);
    return this.sightings(deliberate, nowMs);
  }

  /** Every configured service's objectives now (what GET /slo shows, as ops-monitor sees it). */
  status(now: Date = new Date()): ServiceSloStatus[] {
    return [...this.settings.services.values()].map((slo) =>
      serviceSloStatus(
        slo,
        this.ledgers.get(slo.service) ?? null,
        this.layoutOf(slo.service),
        this.settings.alerts,
        now.getTime(),
      ),
    );
  }

  /** Writes every ledger changed since its last write (at shutdown: nothing counted is lost). */
  async flush(): Promise<void> {
    const nowMs = this.lastCycleMs ?? Date.now();
    for (const service of [...this.dirty]) await this.persist(service, nowMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush().catch((error: unknown) => {
      this.logger.warn(`slo: counts not written at shutdown: ${errorMessage(error)}`);
    });
  }

  private sightings(deliberate: ReadonlySet<string>, nowMs: number): Sighting[] {
    const out: Sighting[] = [];
    for (const status of this.status(new Date(nowMs))) {
      for (const objective of [status.objectives.availability, status.objectives.latency]) {
        // The fast alert says everything the slow one would: one sighting per objective.
        const alert = objective.alerts.find((a) => a.firing && a.name === objective.alerting);
        if (!alert) continue;
        const what =
          objective.kind === 'availability'
            ? `availability ${pct(objective.target)}`
            : `latency p99 ≤ ${objective.latency_p99_ms ?? '?'} ms in ${pct(objective.target)} of minutes`;
        out.push({
          service: status.service,
          symptom: alert.name === 'fast' ? 'slo_burn_fast' : 'slo_burn_slow',
          rule: 'slo',
          metric: BURN_RATE_METRIC,
          value: round2(alert.long.burn_rate ?? 0),
          threshold: alert.threshold,
          severity: alert.severity,
          informational: deliberate.has(status.service),
          detail:
            `${objective.kind} SLO (${what} over ${status.window_days} d) burning its error budget ` +
            `${round2(alert.long.burn_rate ?? 0)}× over ${alert.long.window} and ` +
            `${round2(alert.short.burn_rate ?? 0)}× over ${alert.short.window} ` +
            `(alert above ${alert.threshold}×); budget remaining ${pct(objective.budget.remaining_ratio)}`,
        });
      }
    }
    return out;
  }

  /** Reads the stored ledgers once (retried next cycle when the bucket does not answer). */
  private async restore(): Promise<void> {
    if (this.restored) return;
    try {
      for (const service of this.settings.services.keys()) {
        const stored = await this.kv.get(sloLedgerKey(service));
        if (!stored) continue;
        const restored = conformLedger(stored.value, this.layoutOf(service));
        const mine = this.ledgers.get(service);
        this.ledgers.set(service, mine ? mergeLedgers(restored, mine) : restored);
      }
      this.restored = true;
    } catch (error) {
      this.logger.warn(`slo: stored counts not read (counting goes on): ${errorMessage(error)}`);
    }
  }

  private async persistDue(nowMs: number): Promise<void> {
    for (const service of [...this.dirty]) {
      const last = this.persistedAt.get(service);
      if (last !== undefined && nowMs - last < this.settings.persist_interval_ms) continue;
      await this.persist(service, nowMs);
    }
  }

  /** CAS write of one ledger, merged with whatever another replica wrote meanwhile. */
  private async persist(service: string, nowMs: number): Promise<void> {
    const mine = this.ledgers.get(service);
    // Safe before the stored counts were read: the write merges with them, bucket by bucket.
    if (!mine) return;
    const layout = this.layoutOf(service);
    try {
      const { entry } = await this.kv.mutate(sloLedgerKey(service), (current) => ({
        put:
          current === null
            ? mine
            : pruneLedger(mergeLedgers(conformLedger(current.value, layout), mine), layout, nowMs),
        result: undefined,
      }));
      // Adopted (with what other replicas counted) unless this process counted meanwhile.
      if (this.ledgers.get(service) === mine) {
        if (entry) this.ledgers.set(service, entry.value);
        this.dirty.delete(service);
      }
      this.persistedAt.set(service, nowMs);
    } catch (error) {
      // Retried on the next due cycle; the counts stay in memory meanwhile.
      this.persistedAt.set(service, nowMs);
      this.logger.warn(`slo: counts of ${service} not written: ${errorMessage(error)}`);
    }
  }

  private layoutOf(service: string): LedgerLayout {
    const layout = this.layouts.get(service);
    if (!layout) throw new Error(`slo: no objective for service ${service}`);
    return layout;
  }
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100_000) / 1000} %`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
