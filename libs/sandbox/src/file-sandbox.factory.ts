import { Logger } from '@nestjs/common';
import { type OpscrewConfig } from '@opscrew/config';
import { FileSandbox } from './file-sandbox';
import { type SandboxViolationError } from './sandbox-violation.error';

export interface FileSandboxForOptions {
  /** Default: a warning in the log. Pass guardrails' sandboxViolationReporter to audit too. */
  readonly onViolation?: (violation: SandboxViolationError) => void;
}

/**
 * The filesystem sandbox of one agent: its `sandbox.filesystem` lists,
 * relative to the project root (LoadedConfig.projectRoot: the config
 * directory's parent, so the embedded demo's run folder is its own root).
 */
export function fileSandboxFor(
  config: OpscrewConfig,
  projectRoot: string,
  agent: string,
  options: FileSandboxForOptions = {},
): FileSandbox {
  const agentConfig = config.agents.get(agent);
  if (agentConfig === undefined) {
    throw new Error(
      `file sandbox: no agent "${agent}" in agents (known: ${[...config.agents.keys()].join(', ')})`,
    );
  }
  const logger = new Logger(`FileSandbox:${agent}`);
  return new FileSandbox({
    agent,
    projectRoot,
    read: agentConfig.sandbox.filesystem.read,
    write: agentConfig.sandbox.filesystem.write,
    onViolation: options.onViolation ?? ((violation) => logger.warn(violation.message)),
  });
}
