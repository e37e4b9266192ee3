import { type AgentName } from '@opscrew/contracts';
import { type AgentRuntimeKind } from '@opscrew/config';

/**
 * What a restart request came to. `restarted`: the runtime stopped the agent and started it
 * again (PIDs when it knows them: the supervisor's child PIDs, the container's main PID);
 * `failed`: the runtime answered with an error or not at all; `unsupported`: this runtime does
 * not restart (`none`: the platform's liveness probe does; the supervisor's endpoint absent).
 */
export type RestartOutcome =
  | {
      readonly status: 'restarted';
      readonly runtime: AgentRuntimeKind;
      readonly old_pid: number | null;
      readonly new_pid: number | null;
      readonly detail: string;
    }
  | {
      readonly status: 'failed' | 'unsupported';
      readonly runtime: AgentRuntimeKind;
      readonly detail: string;
    };

/**
 * The port through which atlas restarts a silent agent, whatever it runs under. Adapters never
 * throw: every failure is an outcome, so the liveness pass can record and report it.
 * atlas is never passed here (LivenessService refuses before; the adapters refuse too).
 */
export interface AgentRuntime {
  readonly kind: AgentRuntimeKind;
  restart(agent: AgentName): Promise<RestartOutcome>;
}

export const AGENT_RUNTIME = Symbol('AGENT_RUNTIME');

/** The one refusal every adapter shares: an agent restarting itself is never a recovery. */
export function refuseSelf(kind: AgentRuntimeKind, agent: AgentName): RestartOutcome | null {
  return agent === 'atlas'
    ? { status: 'unsupported', runtime: kind, detail: 'atlas never restarts itself' }
    : null;
}
