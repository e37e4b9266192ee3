import { type AgentName } from '@opscrew/contracts';
import { type AgentRuntime, type RestartOutcome } from './agent-runtime.port';

/**
 * `liveness.runtime.kind: none` (Kubernetes, systemd): the platform's own liveness probe
 * restarts a silent agent; atlas only reports it.
 */
export class NoAgentRuntime implements AgentRuntime {
  readonly kind = 'none' as const;

  constructor(
    private readonly reason = 'the platform restarts agents (liveness probe); atlas only reports',
  ) {}

  restart(agent: AgentName): Promise<RestartOutcome> {
    void agent;
    return Promise.resolve({ status: 'unsupported', runtime: this.kind, detail: this.reason });
  }
}
