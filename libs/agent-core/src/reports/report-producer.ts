/** What one report says: the `report.<name>` event's payload besides its kind. */
export interface ReportContent {
  readonly title: string;
  /** Plain text, one finding a line; longer than REPORT_TEXT_MAX_LENGTH is cut with `…`. */
  readonly text: string;
  /** At most 25, shown as inline embed fields (key → value). */
  readonly fields?: Readonly<Record<string, string | number>>;
}

/**
 * Builds one named report (the schedule's key in `agents.<agent>.schedules`). ReportScheduler
 * calls it on the schedule and on `POST /reports/:name`; the producer only reads and
 * summarises, never publishes or notifies (atlas forwards `report.*` to the notifier).
 */
export interface ReportProducer {
  readonly name: string;
  /** The report as of `now`, or null when there is nothing to say (no event is published). */
  build(now: Date): Promise<ReportContent | null>;
  /** Told after the event is stored: a producer that reports "since the last one" moves on. */
  published?(now: Date): void;
}

/**
 * An extra part of a report another feature contributes (a capacity forecast in the weekly
 * report): a heading and its lines, appended after the producer's own text.
 */
export interface ReportSection {
  readonly heading: string;
  lines(now: Date): Promise<readonly string[]>;
}

/** `ReportProducer[]`: this agent's producers (reportProviders() provides it). */
export const REPORT_PRODUCERS = Symbol('REPORT_PRODUCERS');

/** Renders sections as text blocks: a heading line, then its lines; empty sections are left out. */
export async function renderSections(
  sections: readonly ReportSection[],
  now: Date,
): Promise<string[]> {
  const blocks: string[] = [];
  for (const section of sections) {
    const lines = await section.lines(now);
    if (lines.length > 0) blocks.push([`${section.heading}:`, ...lines].join('\n'));
  }
  return blocks;
}
