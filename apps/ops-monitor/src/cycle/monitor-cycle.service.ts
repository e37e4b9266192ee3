import { errorMessage } from '@opscrew/contracts';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { METRICS_SOURCE, type MetricsSnapshot, type MetricsSource } from '@opscrew/integrations';
import { CapacityHistoryRecorder } from '../capacity/capacity-history.recorder';
import { SilenceStore } from '@opscrew/messaging';
import { type DataQualityWarning, type MissingDataWarning } from '../detection/anomaly';
import { DetectionEngine } from '../detection/detection.engine';
import { isMerelyWaiting } from '../detection/missing-data';
import { IncidentManager, type IncidentOutcome } from '../incidents/incident-manager.service';
import { silencedServices, underSilence } from '../incidents/silenced-sighting';
import { LockedServicesReader } from '../locks/locked-services.reader';
import { CYCLE_REPORTER, MONITORED_SERVICES } from '../ops-monitor.tokens';
import { QualityTracker } from '../quality/quality.tracker';
import { OpsMonitorMetrics } from '../telemetry/ops-monitor.metrics';
import { SloAccountant } from '../slo/slo-accountant.service';
import { type Sighting } from '../incidents/sighting';

/** A data-quality problem is repeated at most hourly: it needs a fix in the source, not a storm. */
const DATA_QUALITY_REPEAT_MS = 60 * 60 * 1000;
/** Interrupted openings (a crash mid-way) are looked for at start and every this many cycles. */
const FINISH_PENDING_EVERY_CYCLES = 20;

export interface CycleSummary {
  at: string;
  duration_ms: number;
  checked: number;
  missing: { service: string; reason: string }[];
  anomalies: number;
  informational: number;
  outcomes: Record<IncidentOutcome, number>;
  data_quality: DataQualityWarning[];
  source_error?: string;
}

export interface CycleReporter {
  dataQuality(warning: DataQualityWarning): Promise<void>;
  beat(at: Date): void;
}

/**
 * One detection cycle for every configured service: collect fresh metrics,
 * run the rules, fold anomalies into incidents (tickets and alerts follow
 * from there), grade completeness, and count everything for /metrics.
 */
@Injectable()
export class MonitorCycle {
  private readonly logger = new Logger(MonitorCycle.name);
  private readonly dataQualitySeen = new Map<string, number>();
  private cycles = 0;
  private sourceFailing = false;

  constructor(
    @Inject(MONITORED_SERVICES) private readonly services: readonly string[],
    @Inject(METRICS_SOURCE) private readonly source: MetricsSource,
    private readonly engine: DetectionEngine,
    private readonly incidents: IncidentManager,
    private readonly locks: LockedServicesReader,
    private readonly quality: QualityTracker,
    private readonly metrics: OpsMonitorMetrics,
    @Inject(CYCLE_REPORTER) private readonly reporter: CycleReporter,
    /** Capacity history (issue 11): fed every cycle's samples; absent in narrow test modules. */
    @Optional() private readonly capacity?: CapacityHistoryRecorder,
    /** The SLI accounting and its burn-rate alerts (absent: no SLOs counted). */
    @Optional() private readonly slo?: SloAccountant,
    // Maintenance windows (/silence); absent in tests that do not need them.
    @Optional() private readonly silences?: SilenceStore,
  ) {}

  async run(): Promise<CycleSummary> {
    const started = process.hrtime.bigint();
    const now = new Date();
    const outcomes: Record<IncidentOutcome, number> = {
      opened: 0,
      updated: 0,
      unchanged: 0,
      reopened: 0,
    };
    if (this.cycles % FINISH_PENDING_EVERY_CYCLES === 0) {
      const finished = await this.incidents.finishPending().catch((error: unknown) => {
        this.logger.warn(`could not complete interrupted openings: ${errorMessage(error)}`);
        return 0;
      });
      if (finished > 0)
        this.logger.warn(`completed ${finished} incident opening(s) interrupted by a crash`);
    }
    this.cycles++;

    let snapshot: MetricsSnapshot;
    try {
      snapshot = await this.source.collect(this.services);
      if (this.sourceFailing) this.logger.log(`metrics source ${this.source.kind} answers again`);
      this.sourceFailing = false;
    } catch (error) {
      const message = errorMessage(error);
      if (!this.sourceFailing)
        this.logger.error(`metrics source ${this.source.kind} failed: ${message}`);
      this.sourceFailing = true;
      this.quality.recordCycle(now, this.services, this.services);
      this.metrics.cycles.inc({ outcome: 'source_failed' });
      return this.finish(started, now, {
        checked: 0,
        missing: this.services.map((service) => ({ service, reason: message })),
        anomalies: 0,
        informational: 0,
        outcomes,
        data_quality: [],
        source_error: message,
      });
    }

    this.capacity?.record(snapshot);
    const holds = await this.locks.view(now);
    const open = await this.incidents.openIncidents(now);
    const result = this.engine.evaluate(
      snapshot,
      new Set(holds.deliberate.keys()),
      holds.restarting,
      open,
    );
    for (const warning of result.dataQuality) await this.reportDataQuality(warning, now);
    const silenced = await silencedServices(this.silences, now, (message) =>
      this.logger.warn(message),
    );
    let informational = 0;
    for (const detected of result.anomalies) {
      // A silenced service's anomaly is still recorded (an informational incident in the
      // ledger, counted here), never ticketed or restarted.
      const silence = silenced.get(detected.service);
      const anomaly = silence ? underSilence(detected, silence) : detected;
      if (anomaly !== detected) this.metrics.silencedAnomalies.inc({ symptom: anomaly.symptom });
      this.metrics.anomalies.inc({
        rule: anomaly.rule,
        symptom: anomaly.symptom,
        informational: String(anomaly.informational),
      });
      if (anomaly.informational) informational++;
      await this.record(anomaly, outcomes);
    }
    // Burning error budgets are symptoms like the rest: folded into the service's incident.
    const burning = await this.sloSightings(snapshot, new Set(holds.deliberate.keys()), now);
    for (const sighting of burning) {
      if (sighting.informational) informational++;
      await this.record(sighting, outcomes);
    }

    const unchecked = snapshot.missing
      .filter((missing) => !isMerelyWaiting(missing.reason))
      .map((missing) => missing.service);
    this.quality.recordCycle(
      now,
      this.services,
      unchecked,
      result.dataQuality.filter((w): w is MissingDataWarning => w.kind === 'missing'),
    );
    this.metrics.servicesChecked.set(result.checked.length);
    this.metrics.servicesMissing.set(snapshot.missing.length);
    this.metrics.cycles.inc({ outcome: 'ok' });
    return this.finish(started, now, {
      checked: result.checked.length,
      missing: snapshot.missing.map((missing) => ({
        service: missing.service,
        reason: missing.reason,
      })),
      anomalies: result.anomalies.length + burning.length,
      informational,
      outcomes,
      data_quality: [...result.dataQuality],
    });
  }

  private async record(
    sighting: Sighting,
    outcomes: Record<IncidentOutcome, number>,
  ): Promise<void> {
    try {
      const { outcome, record } = await this.incidents.handle(sighting);
      outcomes[outcome]++;
      if (outcome === 'opened') this.metrics.incidentsOpened.inc({ severity: record.severity });
    } catch (error) {
      // The sighting comes again next cycle; an interrupted opening is completed then.
      this.logger.error(
        `${sighting.service} ${sighting.symptom}: could not record the incident: ${errorMessage(error)}`,
      );
    }
  }

  /** The SLO burn alerts of this cycle; a failure of the accounting never stops detection. */
  private async sloSightings(
    snapshot: MetricsSnapshot,
    deliberate: ReadonlySet<string>,
    now: Date,
  ): Promise<Sighting[]> {
    if (!this.slo) return [];
    try {
      return await this.slo.observe(snapshot, deliberate, now);
    } catch (error) {
      this.logger.error(`slo accounting failed this cycle: ${errorMessage(error)}`);
      return [];
    }
  }

  private finish(
    started: bigint,
    now: Date,
    summary: Omit<CycleSummary, 'at' | 'duration_ms'>,
  ): CycleSummary {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    this.metrics.cycleDuration.observe(durationMs / 1000);
    this.reporter.beat(now);
    return { at: now.toISOString(), duration_ms: Math.round(durationMs * 100) / 100, ...summary };
  }

  private async reportDataQuality(warning: DataQualityWarning, now: Date): Promise<void> {
    this.metrics.dataQuality.inc({ metric: warning.metric, kind: warning.kind });
    const key = `${warning.kind}/${warning.service}/${warning.metric}`;
    const last = this.dataQualitySeen.get(key);
    if (last !== undefined && now.getTime() - last < DATA_QUALITY_REPEAT_MS) return;
    this.dataQualitySeen.set(key, now.getTime());
    this.logger.warn(`data_quality: ${warning.message}`);
    await this.reporter.dataQuality(warning).catch((error: unknown) => {
      this.logger.warn(`data_quality report not published: ${errorMessage(error)}`);
    });
  }
}
