import {
  COMPOSE_CLUSTER_NODES,
  composeClusterNodeSettings,
  COMPOSE_NATS_SETTINGS,
  renderNatsServerConf,
  SubjectMapper,
} from '@opscrew/messaging';
import { type CliIo, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

/**
 * `opscrew nats-conf`: the nats-server configuration for this config's bus (its
 * stream and namespace), with one least-privilege user per agent and the CLI.
 * `npx opscrew nats-conf > deploy/nats/nats.conf` regenerates the committed file.
 */
export interface NatsConfOptions extends ConfigCommandOptions {
  /**
   * One node of the compose cluster (nats-1, nats-2, nats-3): the same users and permissions
   * plus its server_name and routes to the others. `npx opscrew nats-conf --cluster nats-2 >
   * deploy/nats/cluster/nats-2.conf` regenerates its committed file.
   */
  cluster?: string;
}

export function natsConf(options: NatsConfOptions, io: CliIo): number {
  if (
    options.cluster !== undefined &&
    !(COMPOSE_CLUSTER_NODES as readonly string[]).includes(options.cluster)
  ) {
    io.err(
      `opscrew nats-conf: --cluster ${options.cluster}: not a node (nodes: ${COMPOSE_CLUSTER_NODES.join(', ')})`,
    );
    return EXIT_INVALID;
  }
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { bus } = loaded.loaded.config;
  const settings =
    options.cluster === undefined
      ? COMPOSE_NATS_SETTINGS
      : composeClusterNodeSettings(options.cluster);
  const conf = renderNatsServerConf(new SubjectMapper(bus.namespace, bus.stream), settings);
  // io.out ends every line itself.
  io.out(conf.replace(/\n$/, ''));
  return EXIT_OK;
}
