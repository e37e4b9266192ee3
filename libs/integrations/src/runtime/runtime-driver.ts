import { type RuntimeTarget } from '@opscrew/sandbox';
import { type LogLines, type RuntimeInspection } from './runtime.port';

export interface DriverRestartResult {
  /** started_at of the new instance (ISO), as the runtime reports it right after the restart. */
  readonly started_at: string | null;
}

/**
 * Raw operations on a target the sandbox already resolved and allowed. A
 * driver never decides anything: it is only ever called by SandboxedRuntime,
 * after the policy, the fencing check and the mode. It has no rm, exec, kill
 * or stop by construction, so there is nothing else to call.
 */
export interface RuntimeDriver {
  readonly kind: 'docker' | 'process';
  inspect(target: RuntimeTarget): Promise<RuntimeInspection>;
  logs(target: RuntimeTarget, tail: number): Promise<LogLines>;
  restart(target: RuntimeTarget): Promise<DriverRestartResult>;
}
