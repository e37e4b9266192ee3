import { renderNatsHelmValues, renderNatsServerConf, SubjectMapper } from '@opscrew/messaging';
import { type CliIo, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface NatsConfOptions extends ConfigCommandOptions {
  /** The official NATS Helm chart's values instead (deploy/k8s/nats/values.yaml). */
  readonly helmValues?: boolean;
}

/**
 * `opscrew nats-conf`: the nats-server configuration for this config's bus (its
 * stream and namespace), with one least-privilege user per agent and the CLI.
 * `npx opscrew nats-conf > deploy/nats/nats.conf` regenerates the committed file;
 * `--helm-values` prints the same users as the NATS Helm chart's values (deploy/k8s/nats/values.yaml).
 */
export function natsConf(options: NatsConfOptions, io: CliIo): number {
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { bus } = loaded.loaded.config;
  const mapper = new SubjectMapper(bus.namespace, bus.stream);
  const conf = options.helmValues ? renderNatsHelmValues(mapper) : renderNatsServerConf(mapper);
  // io.out ends every line itself.
  io.out(conf.replace(/\n$/, ''));
  return EXIT_OK;
}
