import { Logger } from '@nestjs/common';
import { type OpscrewConfig } from '@opscrew/config';
import { FileSandbox, type FileSandboxOptions } from './file-sandbox';
import { type SandboxViolationError } from './sandbox-violation.error';

export interface FileSandboxForOptions {
  /** Default: a warning in the log. Pass guardrails' sandboxViolationReporter to audit too. */
  readonly onViolation?: (violation: SandboxViolationError) => void;
}

/** What one agent's sandbox is built from: its lists and the root they are relative to. */
export type FileSandboxSettings = Omit<FileSandboxOptions, 'onViolation'>;

/**
 * The slice of the config one agent's sandbox reads: its `sandbox.filesystem` lists,
 * relative to the project root (LoadedConfig.projectRoot: the config directory's parent,
 * so the embedded demo's run folder is its own root).
 */
export function fileSandboxSettingsFor(
  config: OpscrewConfig,
  projectRoot: string,
  agent: string,
): FileSandboxSettings {
  const agentConfig = config.agents.get(agent);
  if (agentConfig === undefined) {
    throw new Error(
      `file sandbox: no agent "${agent}" in agents (known: ${[...config.agents.keys()].join(', ')})`,
    );
  }
  return {
    agent,
    projectRoot,
    read: agentConfig.sandbox.filesystem.read,
    write: agentConfig.sandbox.filesystem.write,
  };
}

/** The sandbox of these settings; a refusal is a warning in the log unless `options` say more. */
export function fileSandboxOf(
  settings: FileSandboxSettings,
  options: FileSandboxForOptions = {},
): FileSandbox {
  const logger = new Logger(`FileSandbox:${settings.agent}`);
  return new FileSandbox({
    ...settings,
    onViolation: options.onViolation ?? ((violation) => logger.warn(violation.message)),
  });
}

/** The filesystem sandbox of one agent (fileSandboxSettingsFor, then fileSandboxOf). */
export function fileSandboxFor(
  config: OpscrewConfig,
  projectRoot: string,
  agent: string,
  options: FileSandboxForOptions = {},
): FileSandbox {
  return fileSandboxOf(fileSandboxSettingsFor(config, projectRoot, agent), options);
}
