import { errorMessage } from './runtime/error-message';
import { readServiceEnv, ServiceEnvError } from './service-env';
import { runShopService } from './shop-service.runner';

/** A stuck close (a hung keep-alive socket) must not turn a SIGTERM into the supervisor's SIGKILL. */
const EXIT_DEADLINE_MS = 2_000;
/**
 * Every 2 s a service checks that its supervisor is still its parent. The
 * services lead their own process groups, so a supervisor killed with -9 (or
 * a crashed test runner) would otherwise leave nine orphans holding the ports.
 */
const ORPHAN_CHECK_INTERVAL_MS = 2_000;

/**
 * Entry point of one shop service process (run by the supervisor as
 * `node dist/apps/demo-shop/src/service.main.js`, configured by its
 * environment only). SIGTERM/SIGINT close the server and exit 0.
 */
async function main(): Promise<void> {
  let env;
  try {
    env = readServiceEnv();
  } catch (error) {
    process.stderr.write(`FATAL ${errorMessage(error)}\n`);
    process.exit(error instanceof ServiceEnvError ? 2 : 1);
  }
  let running: Awaited<ReturnType<typeof runShopService>>;
  try {
    running = await runShopService(env);
  } catch (error) {
    process.stderr.write(
      `FATAL ${env.service}: cannot listen on ${env.host}:${env.port}: ${errorMessage(error)}\n`,
    );
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    running.log.info(`${signal}: stopping`);
    setTimeout(() => process.exit(0), EXIT_DEADLINE_MS).unref();
    void running.stop().then(() => process.exit(0));
  };
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop(`supervisor (pid ${parent}) gone`);
  }, ORPHAN_CHECK_INTERVAL_MS).unref();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (error) => {
    running.log.error(`fatal: uncaught exception: ${error.stack ?? error.message}`);
    process.exit(1);
  });
}

void main();
