import { IsInteger, IsTimestamp } from '../validation/field.validators';

/** Key of ops-monitor's accuracy feedback in the `learning` bucket. */
export const ACCURACY_FEEDBACK_KEY = 'accuracy.ops-monitor';

/**
 * Ground truth about ops-monitor's alerts, written by demo-controller after
 * each scored scenario run (deliberate chaos): how many alerts were right,
 * how many were false positives, how many faults were missed. ops-monitor
 * reads it for the accuracy part of its self-evaluation.
 */
export class AccuracyFeedbackRecord {
  @IsInteger(0)
  true_positives!: number;

  @IsInteger(0)
  false_positives!: number;

  @IsInteger(0)
  missed!: number;

  @IsInteger(0)
  runs!: number;

  @IsTimestamp()
  updated_at!: string;
}
