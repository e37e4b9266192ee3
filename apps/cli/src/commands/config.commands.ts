import {
  ConfigError,
  formatIssue,
  type LoadedConfig,
  loadConfig,
  readRuntimeEnvironment,
} from '@opscrew/config';
import { type CliIo, EXIT_INVALID, EXIT_OK } from '../cli-io';

export interface ConfigCommandOptions {
  readonly config?: string;
}

/** Load the config the way the services do (same env, same .env), or print every problem. */
export function loadForCli(
  options: ConfigCommandOptions,
  io: CliIo,
): { loaded: LoadedConfig } | { exitCode: number } {
  const runtime = readRuntimeEnvironment(options.config ? { configDir: options.config } : {});
  try {
    const loaded = loadConfig({
      configDir: runtime.configDir,
      env: runtime.env,
      ...(runtime.dotenvPath ? { dotenvPath: runtime.dotenvPath } : {}),
    });
    for (const warning of loaded.warnings) io.err(`warning: ${formatIssue(warning)}`);
    return { loaded };
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.lines()) io.err(line);
      io.err(
        `config INVALID: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} in ${error.configRoot}`,
      );
      return { exitCode: EXIT_INVALID };
    }
    throw error;
  }
}

/** `opscrew config check`: exit 0 with a one-line summary, or 2 with every error line. */
export function configCheck(options: ConfigCommandOptions, io: CliIo): number {
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  const { config, files, warnings } = result.loaded;
  const agents = [...config.agents.values()].filter((agent) => agent.enabled).length;
  const scenarios = config.agents.get('demo-controller')?.controller?.scenarios.size ?? 0;
  io.out(
    `config OK: ${result.loaded.source} — ${files.length} files, ${agents} agents, ` +
      `${config.services.watched.size} services watched (${config.services.protected.length} protected), ` +
      `${config.thresholds.runbooks.patterns.size} runbooks, ${scenarios} scenarios, ` +
      `metrics: ${config.integrations.metrics.source}, tracker: ${config.integrations.tracker.kind}, ` +
      `notifier: ${config.integrations.notifier.kind}, runtime: ${config.integrations.runtime.kind}` +
      (warnings.length > 0
        ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`
        : ''),
  );
  return EXIT_OK;
}

/** `opscrew config print`: the resolved config as JSON, secrets and `${VAR}` values as "***". */
export function configPrint(options: ConfigCommandOptions, io: CliIo): number {
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  io.out(JSON.stringify(result.loaded.redacted, null, 2));
  return EXIT_OK;
}
