import { existsSync } from 'node:fs';
import {
  ShopConfigError,
  shopOptionsFromConfig,
} from '../../../demo-shop/src/shop-options.factory';
import { type RunningShop, startShop, ShopStartError } from '../../../demo-shop/src/shop.launcher';
import { SHOP_SERVICE_NAMES } from '../../../demo-shop/src/shop-service.profiles';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

/**
 * `opscrew shop`: runs the embedded demo shop — nine services, each its own
 * process under the process supervisor — where the configuration says the
 * crew scrapes, restarts and flags it, until Ctrl-C (or SIGTERM) stops them.
 */
export async function shop(
  options: ConfigCommandOptions,
  io: CliIo,
  untilStopped: () => Promise<string> = waitForSignal,
): Promise<number> {
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  let shopOptions;
  try {
    shopOptions = shopOptionsFromConfig(result.loaded);
  } catch (error) {
    if (!(error instanceof ShopConfigError)) throw error;
    for (const problem of error.problems) io.err(`opscrew shop: ${problem}`);
    return EXIT_INVALID;
  }
  let running: RunningShop;
  try {
    running = await startShop(shopOptions);
  } catch (error) {
    if (!(error instanceof ShopStartError)) throw error;
    io.err(`opscrew shop: ${error.message}`);
    return EXIT_FAILURE;
  }
  const width = Math.max(...SHOP_SERVICE_NAMES.map((name) => name.length));
  io.out(`demo shop: ${SHOP_SERVICE_NAMES.length} services running`);
  for (const name of SHOP_SERVICE_NAMES) {
    io.out(`  ${name.padEnd(width)}  ${running.endpoints[name]}  (/metrics, /health)`);
  }
  io.out(
    `  ${'supervisor'.padEnd(width)}  ${running.controlUrl}/processes  (bearer token: integrations.runtime.process.token)`,
  );
  const flagFile = shopOptions.flagFile;
  if (flagFile !== null) {
    io.out(
      `  ${'flags'.padEnd(width)}  ${flagFile}${existsSync(flagFile) ? '' : ' (not there yet: every flag off until it is written)'}`,
    );
  }
  io.out('Ctrl-C stops the shop.');
  const signal = await untilStopped();
  io.out(`${signal}: stopping the shop`);
  await running.stop();
  return EXIT_OK;
}

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
