import { IsNumber, IsOptional, Max, Min } from 'class-validator';

/** `POST /scenarios/:name/run` body (optional; unknown fields are refused by the global pipe). */
export class RunScenarioDto {
  /**
   * Multiplies every duration: 0.05 runs a 5-minute scenario in 15 s. Never
   * above 1: the configured durations are the longest load the lock policy
   * allows; never below 0.001 (a scenario shorter than a detection cycle
   * proves nothing and only churns locks).
   */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(1)
  duration_scale?: number;
}
