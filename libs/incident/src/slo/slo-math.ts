/**
 * Error-budget arithmetic (Google SRE workbook, ch. 2 and 5), pure. An objective promises a
 * share `target` of good events; its error budget is the share `1 − target` that may be bad.
 */

/** Good and total events over some span; `observed_ms` is how much of the span was measured. */
export interface EventCounts {
  readonly good: number;
  readonly total: number;
  readonly observed_ms: number;
}

export const NO_EVENTS: EventCounts = { good: 0, total: 0, observed_ms: 0 };

export function addCounts(a: EventCounts, b: EventCounts): EventCounts {
  return {
    good: a.good + b.good,
    total: a.total + b.total,
    observed_ms: a.observed_ms + b.observed_ms,
  };
}

function checkTarget(target: number): void {
  if (!(target > 0 && target < 1)) {
    throw new RangeError(`SLO target must be between 0 and 1 (exclusive), got ${target}`);
  }
}

/** The share of bad events, or null when there were none to judge (no traffic is not good). */
export function errorRatio(counts: EventCounts): number | null {
  if (!(counts.total > 0)) return null;
  const bad = Math.max(0, counts.total - counts.good);
  return Math.min(1, bad / counts.total);
}

/**
 * How fast the budget burns: the error ratio as a multiple of the budget's share. At 1 the
 * budget lasts exactly the SLO window; at 14.4 a 30-day budget loses 2 % an hour.
 */
export function burnRate(counts: EventCounts, target: number): number | null {
  checkTarget(target);
  const ratio = errorRatio(counts);
  return ratio === null ? null : ratio / (1 - target);
}

export interface BudgetState {
  /** The SLI so far: good / total over the window (null without events). */
  readonly sli: number | null;
  /** Bad events the window's traffic so far allows: (1 − target) × total. */
  readonly allowed_bad: number;
  readonly bad: number;
  /** Share of the budget spent: bad / allowed (0 without events; above 1 when overspent). */
  readonly consumed_ratio: number;
  /** 1 − consumed: negative exactly when, and as much as, the budget is overspent. */
  readonly remaining_ratio: number;
}

/** The budget over the SLO window, measured against the traffic actually seen. */
export function budget(counts: EventCounts, target: number): BudgetState {
  checkTarget(target);
  const ratio = errorRatio(counts);
  if (ratio === null) {
    return { sli: null, allowed_bad: 0, bad: 0, consumed_ratio: 0, remaining_ratio: 1 };
  }
  const consumed = ratio / (1 - target);
  return {
    sli: 1 - ratio,
    allowed_bad: (1 - target) * counts.total,
    bad: ratio * counts.total,
    consumed_ratio: consumed,
    remaining_ratio: 1 - consumed,
  };
}

/** How much of a window was observed, 0..1. */
export function coverage(counts: EventCounts, windowMs: number): number {
  if (!(windowMs > 0)) return 0;
  return Math.min(1, Math.max(0, counts.observed_ms / windowMs));
}

export interface WindowVerdict {
  readonly burn_rate: number | null;
  readonly coverage_ratio: number;
  /** Burning faster than the threshold, on enough data. */
  readonly exceeds: boolean;
}

export function judgeWindow(
  counts: EventCounts,
  windowMs: number,
  target: number,
  threshold: number,
  minCoverage: number,
): WindowVerdict {
  const rate = burnRate(counts, target);
  const covered = coverage(counts, windowMs);
  return {
    burn_rate: rate,
    coverage_ratio: covered,
    exceeds: rate !== null && rate > threshold && covered >= minCoverage,
  };
}

/**
 * The multi-window rule: an alert fires iff both the long window (enough budget gone to matter)
 * and the short one (still burning now) exceed the threshold. The short window is what makes
 * the alert clear minutes after the burn stops instead of an hour later.
 */
export function multiwindowFires(long: WindowVerdict, short: WindowVerdict): boolean {
  return long.exceeds && short.exceeds;
}
