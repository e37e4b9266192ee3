import { ACCURACY_FEEDBACK_KEY, type AccuracyFeedbackRecord } from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';

/** The latest ground truth about ops-monitor's alerts, or null before any scored run. */
export class AccuracyFeedbackReader {
  constructor(private readonly learning: TypedKv<AccuracyFeedbackRecord>) {}

  async read(): Promise<AccuracyFeedbackRecord | null> {
    return (await this.learning.get(ACCURACY_FEEDBACK_KEY))?.value ?? null;
  }
}
