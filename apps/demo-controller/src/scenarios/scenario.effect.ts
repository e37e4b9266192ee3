import { type LoadSummary } from '@opscrew/contracts';

/**
 * One thing a scenario does to the system, undone at the end: traffic, a
 * flag, a fault. A scenario applies its effects in order and reverts them in
 * reverse order, always, also after a failure or an abort.
 */
export interface ScenarioEffect {
  /** What it is, for logs and the run's note: `load 200 users`, `flag cartFailure=100%`. */
  readonly label: string;
  /** Its audit actions (`flag.set` / `flag.restore`, `fault.inject` / `fault.clear`, …). */
  readonly actions: { readonly apply: string; readonly revert: string };
  apply(): Promise<void>;
  /** The load's own measurement (load effects only), read just before revert. */
  measure?(): Promise<LoadSummary>;
  revert(): Promise<void>;
}
