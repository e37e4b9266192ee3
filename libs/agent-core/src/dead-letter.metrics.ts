import { DEAD_LETTER_KINDS, type DeadLetterKind } from '@opscrew/contracts';
import { type ConsumerMetrics } from '@opscrew/messaging';
import { Counter, type Registry } from 'prom-client';

/**
 * Dead letters per consumer and reason, for `/metrics`. `reason` is the record's bounded kind
 * (invalid_json, schema, unknown_subject, wrong_subject, permanent, max_deliveries,
 * source_mismatch), never the free-text reason, so the series stay few. `opscrew_deadletters_unstored_total` counts the
 * ones a flood summary stands for instead of a record of their own.
 */
export class DeadLetterMetrics implements ConsumerMetrics {
  private readonly total: Counter<'consumer' | 'reason'>;
  private readonly unstored: Counter<'consumer' | 'reason'>;

  /** `consumers`: the ones this agent runs, shown at 0 from the start so rates start right. */
  constructor(registry: Registry, consumers: readonly string[]) {
    this.total = new Counter({
      name: 'opscrew_deadletters_total',
      help: 'Messages a consumer set aside (terminated, with a dead-letter record or counted in a flood summary), by consumer and reason',
      labelNames: ['consumer', 'reason'] as const,
      registers: [registry],
    });
    this.unstored = new Counter({
      name: 'opscrew_deadletters_unstored_total',
      help: 'Dead letters counted but not stored one by one (flood sampling: a summary record stands for them), by consumer and reason',
      labelNames: ['consumer', 'reason'] as const,
      registers: [registry],
    });
    for (const consumer of consumers) {
      for (const reason of DEAD_LETTER_KINDS) {
        this.total.inc({ consumer, reason }, 0);
        this.unstored.inc({ consumer, reason }, 0);
      }
    }
  }

  deadLettered(consumer: string, kind: DeadLetterKind, stored: boolean): void {
    this.total.inc({ consumer, reason: kind });
    if (!stored) this.unstored.inc({ consumer, reason: kind });
  }
}
