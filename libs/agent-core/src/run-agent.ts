import { type DynamicModule, type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConfigError,
  type LoadedConfig,
  loadConfig,
  readRuntimeEnvironment,
  type RuntimeEnvironment,
} from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import { Logger } from 'nestjs-pino';

export interface RunAgentOptions {
  /** Config root; default `OPSCREW_CONFIG`, then ./config. */
  readonly configDir?: string;
}

/** Builds the app's root module once the config is known. */
export type AgentModuleFactory = (
  loaded: LoadedConfig,
  runtime: RuntimeEnvironment,
) => DynamicModule;

/** The agent is switched off in the config; `opscrew start` reports it as bad input. */
export class AgentDisabledError extends Error {
  override readonly name = 'AgentDisabledError';
}

/** Exit code for an invalid configuration, as `opscrew config check`. */
export const EXIT_CONFIG_INVALID = 2;

/**
 * Boots one agent: load and validate the config first (every problem printed,
 * exit 2, before anything connects), then Nest with JSON logs, then listen on
 * the agent's port (`PORT` overrides it). Shutdown drains the bus.
 */
export async function runAgent(
  agent: AgentName,
  moduleFactory: AgentModuleFactory,
  options: RunAgentOptions = {},
): Promise<INestApplication> {
  const runtime = readRuntimeEnvironment(options.configDir ? { configDir: options.configDir } : {});
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({
      configDir: runtime.configDir,
      env: runtime.env,
      ...(runtime.dotenvPath ? { dotenvPath: runtime.dotenvPath } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${agent}: cannot start, ${error.message}\n`);
      process.exitCode = EXIT_CONFIG_INVALID;
    }
    throw error;
  }
  const settings = loaded.config.agents.get(agent);
  if (!settings) throw new Error(`${agent}: no agents.${agent} section in ${loaded.configRoot}`);
  if (!settings.enabled) {
    // A disabled agent stays off; running it by hand would surprise whoever disabled it.
    process.exitCode = EXIT_CONFIG_INVALID;
    throw new AgentDisabledError(
      `${agent} is disabled (agents.${agent}.enabled: false in ${loaded.configRoot})`,
    );
  }

  const app = await NestFactory.create(moduleFactory(loaded, runtime), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  // Every REST body is validated and unknown fields refused (security layer 6).
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  const port = runtime.port ?? settings.port;
  const host = loaded.config.http.host;
  await app.listen(port, host);
  logger.log(
    `${agent} listening on http://${host}:${port} ` +
      `(config ${loaded.configRoot}, mode ${settings.mode})`,
    'Bootstrap',
  );
  return app;
}
