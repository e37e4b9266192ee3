import { type IncidentRecord } from '@opscrew/contracts';

/**
 * Most characters one tool result may carry. A result lands in an assistant's
 * context window: 100 incident summaries fit several times over, while a
 * result this size still leaves the conversation room to think.
 */
export const TOOL_TEXT_MAX_CHARS = 100_000;

/** The JSON text of a result, as sent. */
export function toolText(data: unknown): string {
  return JSON.stringify(data, null, 2);
}

/**
 * As many leading items as fit in the budget once wrapped by `wrap`, and
 * whether some were left off. Items are whole: a cut record would mislead.
 */
export function fitList<T>(
  items: readonly T[],
  wrap: (kept: readonly T[], truncated: boolean) => unknown,
  maxChars: number = TOOL_TEXT_MAX_CHARS,
): unknown {
  let count = items.length;
  let data = wrap(items, false);
  while (count > 0 && toolText(data).length > maxChars) {
    // Halve the overshoot rather than drop one at a time: a few passes at most.
    count = Math.min(count - 1, Math.floor(count * 0.75));
    data = wrap(items.slice(0, count), true);
  }
  return data;
}

/**
 * An incident within the budget: its history loses middle entries first
 * (the first says how it was detected, the last what happens now).
 */
export function fitIncident(
  record: IncidentRecord,
  maxChars: number = TOOL_TEXT_MAX_CHARS,
): IncidentRecord & { history_truncated?: number } {
  const history = record.history;
  let keep = history.length;
  let fitted: IncidentRecord & { history_truncated?: number } = record;
  while (keep > 2 && toolText(fitted).length > maxChars) {
    keep -= 1;
    fitted = {
      ...record,
      history: [...history.slice(0, 1), ...history.slice(history.length - keep + 1)],
      history_truncated: history.length - keep,
    };
  }
  return fitted;
}
