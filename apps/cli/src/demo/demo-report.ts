import { type IncidentRecord } from '@opscrew/contracts';
import { type Ticket } from '@opscrew/ports';
import { type DemoPortPlan } from './demo-port.plan';
import { type FaultRecord, type StepResult } from './demo-story';

/**
 * `var/demo/report.json`, as the demo writes it and its e2e test reads it back. The incidents
 * and tickets are what atlas and the tracker answered, as they are: the report restates no
 * incident field of its own.
 */
export interface DemoReport {
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_s: number;
  readonly load_driver: 'locust' | 'builtin';
  /** Where this run listened (each one free again once the demo has stopped). */
  readonly ports: Pick<DemoPortPlan, 'agents' | 'shop' | 'supervisor'> & {
    readonly locust?: number;
  };
  readonly steps: readonly StepResult[];
  readonly faults: readonly FaultRecord[];
  readonly incidents: readonly IncidentRecord[];
  readonly tickets: readonly Ticket[];
  readonly restarts: Readonly<Record<string, number>>;
  readonly escalations: readonly { readonly key: string; readonly at: string }[];
  readonly notifications: readonly {
    readonly key: string;
    readonly kind: string;
    readonly at: string;
  }[];
  /** demo-controller's `/scorecard` answer, as it came (null when it did not answer). */
  readonly scorecard: unknown;
  readonly ok: boolean;
  readonly failures: readonly string[];
}
