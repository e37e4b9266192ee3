import { type QualityTargetsConfig } from '@opscrew/config';

export interface QualityReport {
  /** Services checked in the last cycle / services this source should cover. */
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
  tickets: { total: number; actionable: number };
}

/**
 * ops-monitor grades its own work (the seed's quality metrics): did it look
 * at every service, can a human act on every ticket, and how often was it
 * wrong. Accuracy comes from deliberate chaos (demo-controller's ground truth).
 */
export class QualityTracker {
  private cycles = 0;
  private lastCycleAt: Date | null = null;
  private expected = 0;
  private unchecked: string[] = [];
  private tickets = 0;
  private actionable = 0;
  private accuracy: number | null = null;

  constructor(private readonly targets: QualityTargetsConfig) {}

  recordCycle(at: Date, expected: readonly string[], unchecked: readonly string[]): void {
    this.cycles++;
    this.lastCycleAt = at;
    this.expected = expected.length;
    this.unchecked = [...unchecked].sort();
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
        : (this.expected - this.unchecked.length) / this.expected;
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
      tickets: { total: this.tickets, actionable: this.actionable },
    };
  }
}
