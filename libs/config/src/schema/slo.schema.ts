import { Int, Ms, NestedMap, NAME_HINT, NAME_PATTERN, Ratio } from './validators';

export class SloObjectiveConfig {
  /** Share of requests that must succeed (0.999 = "three nines"). */
  @Ratio({ allowZero: false }) availability_ratio!: number;
  @Ms({ latency: true }) latency_p99_ms!: number;
  @Int({ min: 1, max: 366 }) window_days!: number;
}

export class SloConfig {
  @NestedMap(() => SloObjectiveConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  objectives!: Map<string, SloObjectiveConfig>;
}
