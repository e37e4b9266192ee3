import { type AlertingConfig, type DetectionConfig } from '@opscrew/config';
import {
  type AccuracyFeedbackRecord,
  type ScenarioRunRecord,
  type ScenarioScoreRecord,
  type ScorecardRecord,
} from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';
import { type FileAccessPolicy } from '@opscrew/sandbox';

/** What the learning side is configured with (from `learning` and the thresholds). */
export interface LearningOptions {
  /** Finish + this closes a run's window and scores it. */
  readonly settle_ms: number;
  readonly min_samples: number;
  readonly adjustment_suggestion: boolean;
  /** Absolute path of the suggestions file. */
  readonly suggestions_file: string;
  /** demo-controller's filesystem sandbox (the suggestions file is written through it). */
  readonly files?: FileAccessPolicy;
  readonly thresholds: { readonly alerting: AlertingConfig; readonly detection?: DetectionConfig };
  /** Lock holders that are this process's own runs: their holds come from the runner, not the bus. */
  readonly own_holder_prefix: string;
}

export interface LearningBuckets {
  readonly runs: TypedKv<ScenarioRunRecord>;
  readonly scores: TypedKv<ScenarioScoreRecord>;
  readonly scorecard: TypedKv<ScorecardRecord>;
  readonly accuracy: TypedKv<AccuracyFeedbackRecord>;
  readonly listKeys: () => Promise<string[]>;
}
