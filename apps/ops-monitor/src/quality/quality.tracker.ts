import { Inject, Injectable } from '@nestjs/common';
import { type QualityTargetsConfig } from '@opscrew/config';
import { QUALITY_TARGETS } from '../ops-monitor.tokens';
import { type MissingDataWarning } from '../detection/anomaly';

/** One metric ops-monitor could not measure in the last cycle, and since when (without a break). */
export interface MissingDataEntry {
  service: string;
  /** `request_rate_rps`: the service had no sample at all (it is in `unchecked_services` too). */
  metric: string;
  reason: string;
  /** The first cycle of this unbroken run of missing data. */
  since: string;
}

export interface QualityReport {
  /**
   * Services fully checked in the last cycle (rate, error ratio and p99 all measured, or
   * merely no traffic) / services this source should cover: missing data is not coverage.
   */
  completeness_ratio: number | null;
  /** Tickets that name a runbook (or say none matched, with the reason) / tickets. */
  actionability_ratio: number | null;
  /** 1 − false-positive ratio from demo-controller's scorecard; null until it has data. */
  accuracy_ratio: number | null;
  targets: { completeness_ratio: number; actionability_ratio: number; accuracy_ratio: number };
  meets_targets: {
    completeness: boolean | null;
    actionability: boolean | null;
    accuracy: boolean | null;
  };
  cycles: number;
  last_cycle_at: string | null;
  unchecked_services: string[];
  /** What could not be measured in the last cycle (data-quality `missing`), by service and metric. */
  missing_data: MissingDataEntry[];
  tickets: { total: number; actionable: number };
}

/**
 * ops-monitor grades its own work (the seed's quality metrics): did it look
 * at every service, can a human act on every ticket, and how often was it
 * wrong. Accuracy comes from deliberate chaos (demo-controller's ground truth).
 */
@Injectable()
export class QualityTracker {
  private cycles = 0;
  private lastCycleAt: Date | null = null;
  private expected = 0;
  private unchecked: string[] = [];
  private incomplete = 0;
  /** `service/metric` → entry, as of the last cycle. */
  private missing = new Map<string, MissingDataEntry>();
  private tickets = 0;
  private actionable = 0;
  private accuracy: number | null = null;

  constructor(@Inject(QUALITY_TARGETS) private readonly targets: QualityTargetsConfig) {}

  recordCycle(
    at: Date,
    expected: readonly string[],
    unchecked: readonly string[],
    missingData: readonly MissingDataWarning[] = [],
  ): void {
    this.cycles++;
    this.lastCycleAt = at;
    this.expected = expected.length;
    this.unchecked = [...unchecked].sort();
    const missing = new Map<string, MissingDataEntry>();
    for (const warning of missingData) {
      const key = `${warning.service}/${warning.metric}`;
      missing.set(key, {
        service: warning.service,
        metric: warning.metric,
        reason: warning.reason,
        since: this.missing.get(key)?.since ?? at.toISOString(),
      });
    }
    this.missing = missing;
    const expectedSet = new Set(expected);
    this.incomplete = new Set(
      [...unchecked, ...missingData.map((warning) => warning.service)].filter((service) =>
        expectedSet.has(service),
      ),
    ).size;
  }

  recordTicket(namesRunbook: boolean): void {
    this.tickets++;
    if (namesRunbook) this.actionable++;
  }

  /** From demo-controller's ground truth: the share of alerts that were not false positives. */
  recordAccuracy(feedback: { true_positives: number; false_positives: number } | null): void {
    const alerts = feedback ? feedback.true_positives + feedback.false_positives : 0;
    this.accuracy = feedback && alerts > 0 ? feedback.true_positives / alerts : null;
  }

  report(): QualityReport {
    const completeness =
      this.cycles === 0 || this.expected === 0
        ? null
        : (this.expected - this.incomplete) / this.expected;
    const actionability = this.tickets === 0 ? null : this.actionable / this.tickets;
    const meets = (value: number | null, target: number): boolean | null =>
      value === null ? null : value >= target;
    return {
      completeness_ratio: completeness,
      actionability_ratio: actionability,
      accuracy_ratio: this.accuracy,
      targets: { ...this.targets },
      meets_targets: {
        completeness: meets(completeness, this.targets.completeness_ratio),
        actionability: meets(actionability, this.targets.actionability_ratio),
        accuracy: meets(this.accuracy, this.targets.accuracy_ratio),
      },
      cycles: this.cycles,
      last_cycle_at: this.lastCycleAt?.toISOString() ?? null,
      unchecked_services: this.unchecked,
      missing_data: [...this.missing.values()].sort(
        (a, b) => a.service.localeCompare(b.service) || a.metric.localeCompare(b.metric),
      ),
      tickets: { total: this.tickets, actionable: this.actionable },
    };
  }
}
