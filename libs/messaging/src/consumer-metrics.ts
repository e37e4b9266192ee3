import { type DeadLetterKind } from '@opscrew/contracts';

/**
 * What the consumer loops report for an agent's `/metrics`. The messaging library stays free of
 * a metrics client: the agent passes an implementation backed by its own registry
 * (libs/agent-core's DeadLetterMetrics), tests and the CLI pass nothing.
 */
export interface ConsumerMetrics {
  /**
   * A message was set aside by `consumer` for `kind`. `stored`: false when it was only counted
   * (a flood of the same kind: a summary record stands for it, see DeadLetterSampler).
   */
  deadLettered(consumer: string, kind: DeadLetterKind, stored: boolean): void;
}

export const NO_CONSUMER_METRICS: ConsumerMetrics = {
  deadLettered: () => undefined,
};
