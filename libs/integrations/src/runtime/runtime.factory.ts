import { type LoggerService } from '@nestjs/common';
import { type OpscrewConfig } from '@opscrew/config';
import { type AuditSink } from '@opscrew/ports';
import { runtimePolicyFor } from '@opscrew/sandbox';
import { type DockerApi, DockerRuntimeDriver } from './docker.runtime-driver';
import { ProcessRuntimeDriver } from './process.runtime-driver';
import { type RuntimeDriver } from './runtime-driver';
import { type RuntimePort } from './runtime.port';
import { type FencingCheck, SandboxedRuntime } from './sandboxed.runtime';

/** Defaults of `integrations.runtime.docker` when the section is absent (same as the schema's). */
const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const DEFAULT_STOP_TIMEOUT_S = 10;

export interface RuntimeFactoryDeps {
  /** `(key, revision) => leases.isCurrent(key, revision)`. */
  readonly fencing: FencingCheck;
  /** The agent's audit log (JsonlAuditLog). */
  readonly audit: AuditSink;
  readonly logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
  /** Required for `integrations.runtime.kind: 'process'`: the demo shop supervisor's control API. */
  readonly process?: { readonly control_url: string; readonly token: string };
  /** Tests only: a Docker API instead of dockerode on the configured socket. */
  readonly docker?: DockerApi;
}

/**
 * The runtime the config chooses (`integrations.runtime.kind`) for one agent,
 * always behind that agent's sandbox (`agents.<agent>.sandbox.runtime` and
 * `services`) and mode (`observe` = dry run).
 */
export function createRuntime(
  config: OpscrewConfig,
  agentName: string,
  deps: RuntimeFactoryDeps,
): RuntimePort {
  const agent = config.agents.get(agentName);
  if (agent === undefined) {
    throw new Error(`createRuntime: no agent "${agentName}" in agents`);
  }
  const policy = runtimePolicyFor(config, agentName);
  return new SandboxedRuntime({
    agent: agentName,
    driver: createRuntimeDriver(config, deps),
    policy,
    fencing: deps.fencing,
    audit: deps.audit,
    mode: agent.mode,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

function createRuntimeDriver(config: OpscrewConfig, deps: RuntimeFactoryDeps): RuntimeDriver {
  const runtime = config.integrations.runtime;
  if (runtime.kind === 'docker') {
    const docker = runtime.docker;
    return new DockerRuntimeDriver({
      socket_path: docker?.socket_path ?? DEFAULT_DOCKER_SOCKET,
      ...(docker?.compose_project !== undefined ? { compose_project: docker.compose_project } : {}),
      stop_timeout_s: docker?.stop_timeout_s ?? DEFAULT_STOP_TIMEOUT_S,
      ...(deps.docker ? { docker: deps.docker } : {}),
    });
  }
  if (deps.process === undefined) {
    throw new Error(
      'createRuntime: integrations.runtime.kind is "process" but no process supervisor control URL and token were given (deps.process)',
    );
  }
  return new ProcessRuntimeDriver({
    base_url: deps.process.control_url,
    token: deps.process.token,
  });
}
