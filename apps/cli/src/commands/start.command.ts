import {
  ConfigError,
  readRuntimeEnvironment,
  SUPERVISOR_TOKEN_VARIABLE,
  SUPERVISOR_URL_VARIABLE,
  type SupervisorControl,
} from '@opscrew/config';
import { errorMessage, AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { type INestApplication } from '@nestjs/common';
// Its own file, not @opscrew/integrations' index (every adapter, ajv): `start all` needs only this.
import { freePorts } from '../../../../libs/integrations/src/net/free-port.allocator';
import { type RunAgentOptions } from '@opscrew/agent-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { agentBusEnv, writeAgentBusAuthEntry } from '../local-nats/agent-bus-auth';
import { URL_FILE } from '../local-nats/local-bus-discovery';
import { LOCAL_NATS_DIR } from '../local-nats/local-credentials';
import { type LocalBus, startLocalBus } from '../local-nats/local-bus';
import {
  DEFAULT_LOCAL_NATS_HTTP_PORT,
  DEFAULT_LOCAL_NATS_PORT,
} from '../local-nats/local-nats-server';
import { AgentSupervisor, type SupervisedAgent } from '../supervisor/agent-supervisor';
import {
  extraPortsNeeded,
  planReplicas,
  replicaEnv,
  type ReplicaSlot,
} from '../supervisor/replica-plan';
import { SupervisorControlServer } from '../supervisor/supervisor-control.server';
import {
  describeProvisioning,
  provisionBus,
  provisionCredentials,
  summarizeProvisioning,
} from './bus-provision.command';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface StartOptions extends ConfigCommandOptions {
  /**
   * `start all` only: run our own nats-server with per-agent users (var/nats: credentials
   * generated on first start, nats.conf, the store), provision as admin, and give each agent
   * only its own password. `npm start` sets it unless NATS_URL names a server.
   */
  readonly localNats?: boolean;
  /** `start all` only: processes per agent (default 1; see supervisor/replica-plan.ts). */
  readonly replicas?: number;
}

/**
 * Each agent is imported only when it is the one started: `start all` spawns this command once
 * per agent, and four processes each loading all four agents (and the supervisor loading them
 * too) was most of a start's time on a small host.
 */
const STARTERS: Record<AgentName, (options: RunAgentOptions) => Promise<INestApplication>> = {
  atlas: async (options) => (await import('../../../atlas/src')).startAtlas(options),
  'ops-monitor': async (options) =>
    (await import('../../../ops-monitor/src')).startOpsMonitor(options),
  'jira-resolver': async (options) =>
    (await import('../../../jira-resolver/src')).startJiraResolver(options),
  'demo-controller': async (options) =>
    (await import('../../../demo-controller/src')).startDemoController(options),
};

/**
 * `opscrew start <agent>` runs one agent in this process;
 * `opscrew start all` runs every enabled agent as a child process under a supervisor.
 */
export async function start(
  target: string,
  options: StartOptions,
  io: CliIo,
  cliEntry: string,
): Promise<number> {
  if (target === 'all') return startAll(options, io, cliEntry);
  if (options.localNats) {
    io.err(
      'opscrew start: --local-nats is for `start all` (it starts the agents it gives users to)',
    );
    return EXIT_INVALID;
  }
  if (!(AGENT_NAMES as readonly string[]).includes(target)) {
    io.err(`opscrew start: unknown agent "${target}" (agents: ${AGENT_NAMES.join(', ')}, or all)`);
    return EXIT_INVALID;
  }
  // Not at the top: `start all` (the supervisor) never runs an agent in its own process.
  const { AgentDisabledError } = await import('@opscrew/agent-core');
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

async function startAll(options: StartOptions, io: CliIo, cliEntry: string): Promise<number> {
  // Validate once up front: four copies of the same config error help nobody.
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  const { loaded } = result;
  const enabled = AGENT_NAMES.filter((agent) => loaded.config.agents.get(agent)?.enabled);
  let slots: ReplicaSlot[];
  try {
    const count = options.replicas ?? 1;
    slots = planReplicas(
      enabled,
      count,
      await freePorts(extraPortsNeeded(enabled.length, Number.isInteger(count) ? count : 1)),
    );
  } catch (error) {
    io.err(`opscrew start all: ${errorMessage(error)}`);
    return EXIT_INVALID;
  }
  let local: LocalBus | null = null;
  let agents: SupervisedAgent[];
  if (options.localNats) {
    const dir = loaded.resolvePath(LOCAL_NATS_DIR);
    try {
      local = await startLocalBus({
        dir,
        storeDir: join(dir, 'store'),
        port: portFromEnv('OPSCREW_LOCAL_NATS_PORT', DEFAULT_LOCAL_NATS_PORT),
        httpPort: portFromEnv('OPSCREW_LOCAL_NATS_HTTP_PORT', DEFAULT_LOCAL_NATS_HTTP_PORT),
        config: loaded.config,
      });
    } catch (error) {
      io.err(`opscrew start all: ${errorMessage(error)}`);
      return EXIT_FAILURE;
    }
    const { server, credentials, report } = local;
    // For CLI commands on this machine (`opscrew incident inject`): see local-bus-discovery.
    writeFileSync(join(dir, URL_FILE), `${server.url}\n`);
    io.err(
      `embedded NATS ${server.url} (pid ${server.pid ?? '?'}, per-agent users; credentials ${credentials.path}` +
        `${credentials.generated.length > 0 ? `, generated for ${credentials.generated.join(', ')}` : ''}); ` +
        `bus topology: ${summarizeProvisioning(report)}`,
    );
    agents = slots.map((slot) => ({
      agent: slot.agent,
      ...(slot.replica !== null ? { replica: slot.replica } : {}),
      command: process.execPath,
      args: [cliEntry, 'start', slot.agent, '--config', writeAgentBusAuthEntry(loaded, slot.agent)],
      env: {
        ...agentBusEnv(readRuntimeEnvironment().env, slot.agent, credentials.passwords, server.url),
        ...replicaEnv(slot),
      },
    }));
  } else {
    // The admin step once, before any agent (they only verify): as admin when
    // NATS_PASSWORD_ADMIN is set, else with the config's credentials (an open bus).
    const credentials = provisionCredentials(loaded, undefined);
    if (credentials !== null && 'problem' in credentials) {
      io.err(`opscrew start all: ${credentials.problem}`);
      return EXIT_INVALID;
    }
    try {
      const report = await provisionBus(loaded.config, credentials);
      io.err(`bus topology: ${summarizeProvisioning(report)}`);
      for (const line of describeProvisioning(report).filter((l) => !l.endsWith('unchanged')))
        io.err(`  ${line}`);
    } catch (error) {
      // Not fatal: an operator without the admin password may start agents on a bus an admin
      // step provisioned; each agent verifies and says what is missing.
      io.err(
        `opscrew start all: could not provision the bus (${errorMessage(error)}); the agents will verify it`,
      );
    }
    agents = slots.map((slot) => ({
      agent: slot.agent,
      ...(slot.replica !== null
        ? { replica: slot.replica, env: { ...readRuntimeEnvironment().env, ...replicaEnv(slot) } }
        : {}),
      command: process.execPath,
      args: [cliEntry, 'start', slot.agent, '--config', loaded.source],
    }));
  }
  // atlas restarts a stale agent through this supervisor's loopback control endpoint: its URL
  // and this run's token go into atlas's environment only (childEnv).
  let control: SupervisorControl | null = null;
  const inherited = readRuntimeEnvironment().env;
  const supervisor = new AgentSupervisor(agents, undefined, {
    envOf: (spec) => childEnv(spec, spec.env ?? inherited, control),
  });
  const controlServer = new SupervisorControlServer(supervisor);
  try {
    control = await controlServer.start();
    io.err(`supervisor control endpoint ${control.url} (atlas only; restarts a stale agent)`);
  } catch (error) {
    io.err(
      `opscrew start all: no control endpoint (${errorMessage(error)}); atlas will report stale agents without restarting them`,
    );
  }
  const onSignal = (): void => void supervisor.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  supervisor.start();
  const code = await supervisor.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await controlServer.stop();
  await local?.server.stop();
  return code;
}

/** A child's environment: atlas gets the control endpoint; nobody else gets its token. */
export function childEnv(
  spec: SupervisedAgent,
  base: Readonly<Record<string, string | undefined>>,
  control: SupervisorControl | null,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  delete env[SUPERVISOR_URL_VARIABLE];
  delete env[SUPERVISOR_TOKEN_VARIABLE];
  if (spec.agent === 'atlas' && control !== null) {
    env[SUPERVISOR_URL_VARIABLE] = control.url;
    env[SUPERVISOR_TOKEN_VARIABLE] = control.token;
  }
  return env;
}

/** A port from the environment (`npm start`'s OPSCREW_LOCAL_NATS_PORT), or the default. */
function portFromEnv(name: string, fallback: number): number {
  const raw = readRuntimeEnvironment().env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${name}=${raw}: must be a port number 1-65535`);
  }
  return port;
}
