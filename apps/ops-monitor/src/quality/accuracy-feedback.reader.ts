import { ACCURACY_FEEDBACK_KEY, type AccuracyFeedbackRecord } from '@opscrew/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { type TypedKv } from '@opscrew/messaging';
import { LEARNING_KV } from '../ops-monitor.tokens';

/** The latest ground truth about ops-monitor's alerts, or null before any scored run. */
@Injectable()
export class AccuracyFeedbackReader {
  constructor(@Inject(LEARNING_KV) private readonly learning: TypedKv<AccuracyFeedbackRecord>) {}

  async read(): Promise<AccuracyFeedbackRecord | null> {
    return (await this.learning.get(ACCURACY_FEEDBACK_KEY))?.value ?? null;
  }
}
