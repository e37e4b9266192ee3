import { type LivenessConfig, type SupervisorControl } from '@opscrew/config';
import { type AgentRuntime } from './agent-runtime.port';
import { DockerAgentRuntime } from './docker.agent-runtime';
import { NoAgentRuntime } from './none.agent-runtime';
import { SupervisorAgentRuntime } from './supervisor.agent-runtime';

/** The adapter for atlas's `liveness.runtime`; `notify` never restarts, whatever the kind. */
export function createAgentRuntime(
  liveness: LivenessConfig | undefined,
  supervisorControl: SupervisorControl | undefined,
): AgentRuntime {
  if (liveness === undefined || liveness.on_stale === 'notify') {
    return new NoAgentRuntime('liveness.on_stale is notify: atlas reports, nobody restarts');
  }
  const runtime = liveness.runtime;
  switch (runtime.kind) {
    case 'supervisor':
      return new SupervisorAgentRuntime(supervisorControl);
    case 'docker':
      return new DockerAgentRuntime({
        socket_path: runtime.docker?.socket_path ?? '/var/run/docker.sock',
        ...(runtime.docker?.compose_project !== undefined
          ? { compose_project: runtime.docker.compose_project }
          : {}),
        stop_timeout_s: runtime.docker?.stop_timeout_s ?? 10,
      });
    case 'none':
      return new NoAgentRuntime();
  }
}
