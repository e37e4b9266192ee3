import { type ReportView } from './status-sources';

/** Enough for a screenful; older reports are in var/reports/ and the notifier's channel. */
export const RECENT_REPORTS_CAPACITY = 20;

/**
 * The last reports atlas saw, in memory: the status page's default STATUS_REPORTS source.
 * Filled by ReportWriter on every line it writes (and by whatever else forwards reports);
 * reading var/reports/atlas.jsonl per page view would grow with the file and go through the
 * sandbox for a page that refreshes every 10 s. Lost on restart, by design: it is a glance.
 * Provided by a factory (statusProviders): its capacity is a plain number, not a dependency.
 */
export class RecentReports {
  private readonly items: ReportView[] = [];

  constructor(private readonly capacity: number = RECENT_REPORTS_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`RecentReports: capacity must be a whole number ≥ 1 (got ${capacity})`);
  }

  /** Keeps `report`; the oldest one goes when the ring is full. */
  record(report: ReportView): void {
    this.items.push({ ...report });
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Newest first (by `at`, then by arrival for equal times). */
  list(): ReportView[] {
    return this.items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => b.item.at.localeCompare(a.item.at) || b.index - a.index)
      .map(({ item }) => ({ ...item }));
  }
}
