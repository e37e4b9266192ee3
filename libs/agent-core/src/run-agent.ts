import { type DynamicModule, type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import {
  ConfigError,
  type LoadedConfig,
  loadConfig,
  readRuntimeEnvironment,
  type RuntimeEnvironment,
} from '@opscrew/config';
import { type AgentName, registerConfiguredSecrets } from '@opscrew/contracts';
import { JetStreamServer } from '@opscrew/messaging';
import { Logger } from 'nestjs-pino';

export interface RunAgentOptions {
  /** Config root; default `OPSCREW_CONFIG`, then ./config. */
  readonly configDir?: string;
  /**
   * Largest JSON request body, in bytes; default Nest's 100 kB. An agent that receives
   * other systems' batches (ops-monitor's Alertmanager webhook) raises it, still bounded.
   */
  readonly jsonBodyLimitBytes?: number;
  /** Variables laid over the process environment (PORT, NATS_URL, tokens…) for this agent only. */
  readonly env?: Readonly<Record<string, string>>;
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
 *
 * A hybrid app: its @OnBusEvent handlers run on the JetStream transport (startBusHandlers),
 * started once every module is initialised and before the port opens, as the hand-started
 * consumers were.
 */
export async function runAgent(
  agent: AgentName,
  moduleFactory: AgentModuleFactory,
  options: RunAgentOptions = {},
): Promise<INestApplication> {
  const runtime = readRuntimeEnvironment({
    ...(options.configDir ? { configDir: options.configDir } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
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
  // Before anything logs, sends or calls a model: every exit's scrubber knows this agent's secrets.
  registerConfiguredSecrets(loaded.secrets);
  const settings = loaded.config.agents.get(agent);
  if (!settings) throw new Error(`${agent}: no agents.${agent} section in ${loaded.configRoot}`);
  if (!settings.enabled) {
    // A disabled agent stays off; running it by hand would surprise whoever disabled it.
    process.exitCode = EXIT_CONFIG_INVALID;
    throw new AgentDisabledError(
      `${agent} is disabled (agents.${agent}.enabled: false in ${loaded.configRoot})`,
    );
  }

  const app = await NestFactory.create<NestExpressApplication>(moduleFactory(loaded, runtime), {
    bufferLogs: true,
    // The body's exact bytes as `req.rawBody`: signed webhooks (Discord's interactions,
    // Ed25519 over timestamp + raw body) are verified over them, not over re-serialised JSON.
    rawBody: true,
  });
  // Registered before listen(): Nest then skips its default JSON parser (100 kB).
  if (options.jsonBodyLimitBytes !== undefined)
    app.useBodyParser('json', { limit: options.jsonBodyLimitBytes });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  // Every REST body is validated and unknown fields refused (security layer 6).
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  try {
    await app.init();
    await startBusHandlers(app);
  } catch (error) {
    // Stop what did start (consumers, the connection); the original error is the one to report.
    await app.close().catch(() => undefined);
    throw error;
  }
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

/**
 * Connects the JetStream transport to an initialised app and starts its consumers: after
 * `init()` (the topology is verified when the bus is built, and every onModuleInit/bootstrap
 * hook a handler may rely on has run). On close, Nest stops the consumers (EventConsumer before
 * shutdown, then the server, draining running handlers) before the bus connection drains in
 * `onApplicationShutdown`. Tests that build an app by hand call this too.
 */
export async function startBusHandlers(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(JetStreamServer) });
  await app.startAllMicroservices();
}
