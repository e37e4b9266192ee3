import { renderNatsServerConf, SubjectMapper } from '@opscrew/messaging';
import { type CliIo, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

/**
 * `opscrew nats-conf`: the nats-server configuration for this config's bus (its
 * stream and namespace), with one least-privilege user per agent and the CLI.
 * `npx opscrew nats-conf > deploy/nats/nats.conf` regenerates the committed file.
 */
export function natsConf(options: ConfigCommandOptions, io: CliIo): number {
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { bus } = loaded.loaded.config;
  const conf = renderNatsServerConf(new SubjectMapper(bus.namespace, bus.stream));
  // io.out ends every line itself.
  io.out(conf.replace(/\n$/, ''));
  return EXIT_OK;
}
