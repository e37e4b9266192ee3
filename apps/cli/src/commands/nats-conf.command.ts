import {
  COMPOSE_CLUSTER_NODES,
  composeClusterNodeSettings,
  COMPOSE_NATS_SETTINGS,
  renderNatsHelmValues,
  renderNatsServerConf,
  SubjectMapper,
} from '@opscrew/messaging';
import { type CliIo, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface NatsConfOptions extends ConfigCommandOptions {
  /** The official NATS Helm chart's values instead (deploy/k8s/nats/values.yaml). */
  readonly helmValues?: boolean;
  /**
   * One node of the compose cluster (nats-1, nats-2, nats-3): the same users and permissions
   * plus its server_name and routes to the others. `npx opscrew nats-conf --cluster nats-2 >
   * deploy/nats/cluster/nats-2.conf` regenerates its committed file.
   */
  readonly cluster?: string;
}

/**
 * `opscrew nats-conf`: the nats-server configuration for this config's bus (its
 * stream and namespace), with one least-privilege user per agent and the CLI.
 * `npx opscrew nats-conf > deploy/nats/nats.conf` regenerates the committed file;
 * `--helm-values` prints the same users as the NATS Helm chart's values (deploy/k8s/nats/values.yaml);
 * `--cluster <node>` one node of the three-node cluster (deploy/nats/cluster/<node>.conf).
 */
export function natsConf(options: NatsConfOptions, io: CliIo): number {
  if (options.cluster !== undefined && options.helmValues === true) {
    io.err('opscrew nats-conf: --cluster and --helm-values exclude each other');
    return EXIT_INVALID;
  }
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
  const mapper = new SubjectMapper(bus.namespace, bus.stream);
  const conf = options.helmValues
    ? renderNatsHelmValues(mapper)
    : renderNatsServerConf(
        mapper,
        options.cluster === undefined
          ? COMPOSE_NATS_SETTINGS
          : composeClusterNodeSettings(options.cluster),
      );
  // io.out ends every line itself.
  io.out(conf.replace(/\n$/, ''));
  return EXIT_OK;
}
