import { type OpscrewConfig } from '@opscrew/config';
import { RuntimePolicy } from './runtime-policy';

/** The runtime sandbox of one agent: its `sandbox.runtime` and the crew's `services`. */
export function runtimePolicyFor(config: OpscrewConfig, agent: string): RuntimePolicy {
  const agentConfig = config.agents.get(agent);
  if (agentConfig === undefined) {
    throw new Error(
      `runtime policy: no agent "${agent}" in agents (known: ${[...config.agents.keys()].join(', ')})`,
    );
  }
  return new RuntimePolicy({ runtime: agentConfig.sandbox.runtime, services: config.services });
}
