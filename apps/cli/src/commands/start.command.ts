import { AgentDisabledError } from '@opscrew/agent-core';
import { ConfigError } from '@opscrew/config';
import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { startAtlas } from '../../../atlas/src/main';
import { startDemoController } from '../../../demo-controller/src/main';
import { startJiraResolver } from '../../../jira-resolver/src/main';
import { startOpsMonitor } from '../../../ops-monitor/src/main';
import { type CliIo, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { AgentSupervisor } from '../supervisor/agent-supervisor';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

const STARTERS = {
  atlas: startAtlas,
  'ops-monitor': startOpsMonitor,
  'jira-resolver': startJiraResolver,
  'demo-controller': startDemoController,
} satisfies Record<AgentName, unknown>;

/**
 * `opscrew start <agent>` runs one agent in this process;
 * `opscrew start all` runs every enabled agent as a child process under a supervisor.
 */
export async function start(
  target: string,
  options: ConfigCommandOptions,
  io: CliIo,
  cliEntry: string,
): Promise<number> {
  if (target === 'all') return startAll(options, io, cliEntry);
  if (!(AGENT_NAMES as readonly string[]).includes(target)) {
    io.err(`opscrew start: unknown agent "${target}" (agents: ${AGENT_NAMES.join(', ')}, or all)`);
    return EXIT_INVALID;
  }
  try {
    await STARTERS[target as AgentName](options.config ? { configDir: options.config } : {});
  } catch (error) {
    // runAgent already printed every config error line.
    if (error instanceof ConfigError) return EXIT_INVALID;
    if (error instanceof AgentDisabledError) {
      io.err(`opscrew start: ${error.message}`);
      return EXIT_INVALID;
    }
    throw error;
  }
  return EXIT_OK;
}

async function startAll(
  options: ConfigCommandOptions,
  io: CliIo,
  cliEntry: string,
): Promise<number> {
  // Validate once up front: four copies of the same config error help nobody.
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  const configArgs = ['--config', result.loaded.configRoot];
  const agents = AGENT_NAMES.filter((agent) => result.loaded.config.agents.get(agent)?.enabled).map(
    (agent) => ({
      agent,
      command: process.execPath,
      args: [cliEntry, 'start', agent, ...configArgs],
    }),
  );
  const supervisor = new AgentSupervisor(agents);
  const onSignal = (): void => void supervisor.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  supervisor.start();
  const code = await supervisor.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}
