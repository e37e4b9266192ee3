/**
 * The status page's pluggable sections. Silences, SLO budgets and the report feed belong to
 * other parts of atlas (or other branches); the page only knows these shapes and tokens, and
 * each is injected optionally: a section without a source says "not configured" rather than
 * failing the page.
 */

/** One active silence: alerts about `service` are muted until `until`. */
export interface SilenceView {
  service: string;
  /** ISO-8601 UTC. */
  until: string;
  reason?: string;
  by: string;
}

/** One SLO's error budget as the page shows it (null: not enough data yet). */
export interface SloView {
  service: string;
  objective: 'availability' | 'latency';
  /** The objective, e.g. 0.995. */
  target: number;
  /** 1 = the whole budget left, 0 = spent, negative = overspent. */
  budget_remaining_ratio: number | null;
  /** Budget burn over the last hour (1 = exactly on budget). */
  burn_rate_1h: number | null;
  alerting: boolean;
}

/** One report a person could read (daily summary, liveness note, …). */
export interface ReportView {
  /** Its kind (`daily`, `liveness`, …). */
  name: string;
  title: string;
  /** ISO-8601 UTC. */
  at: string;
}

/** `() => Promise<readonly SilenceView[]>`: the active silences. */
export const STATUS_SILENCES = Symbol('STATUS_SILENCES');
/** `() => Promise<readonly SloView[]>`: every configured SLO's budget. */
export const STATUS_SLOS = Symbol('STATUS_SLOS');
/** `() => Promise<readonly ReportView[]>`: the latest reports, newest first. */
export const STATUS_REPORTS = Symbol('STATUS_REPORTS');

export type SilencesSource = () => Promise<readonly SilenceView[]>;
export type SlosSource = () => Promise<readonly SloView[]>;
export type ReportsSource = () => Promise<readonly ReportView[]>;
