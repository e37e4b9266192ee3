import { existsSync } from 'node:fs';
import { assertPortsFree, PortInUseError } from '@opscrew/integrations';
import {
  type RunningShop,
  SHOP_SERVICE_NAMES,
  startShop,
  ShopStartError,
} from '../../../demo-shop/src';
import { ShopConfigError, shopOptionsFromConfig } from '../shop/shop-options.factory';
import { shopPortClaims } from '../shop/shop-port.claims';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

/**
 * `opscrew shop`: runs the embedded demo shop — nine services, each its own
 * process under the process supervisor — where the configuration says the
 * crew scrapes, restarts and flags it, until Ctrl-C (or SIGTERM) stops them.
 * Its ports are the configuration's (the scrape targets' and the control
 * URL's): a busy one is refused before any service starts (exit 1), naming
 * the config key that moves it.
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
  try {
    await assertPortsFree(shopPortClaims(shopOptions, `in ${result.loaded.configRoot}`));
  } catch (error) {
    if (!(error instanceof PortInUseError)) throw error;
    for (const line of error.lines) io.err(`opscrew shop: ${line}`);
    return EXIT_FAILURE;
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
