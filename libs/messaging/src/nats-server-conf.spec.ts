import {
  COMPOSE_CLUSTER_NODES,
  composeClusterNodeSettings,
  COMPOSE_NATS_SETTINGS,
  renderNatsServerConf,
} from './nats-server-conf';
import { SubjectMapper } from './subject-mapper';

const mapper = new SubjectMapper(undefined, 'OPS');

describe('renderNatsServerConf: a cluster node', () => {
  it('adds a cluster block and changes nothing else of the single server but its name and header', () => {
    const single = renderNatsServerConf(mapper, COMPOSE_NATS_SETTINGS);
    const node = renderNatsServerConf(mapper, composeClusterNodeSettings('nats-2'));
    expect(node).toContain(
      [
        'cluster {',
        '  name: "opscrew"',
        '  listen: 0.0.0.0:6222',
        '  routes: [',
        '    "nats-route://nats-1:6222"',
        '    "nats-route://nats-3:6222"',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(single).not.toContain('cluster {');
    const body = (conf: string): string => conf.slice(conf.indexOf('authorization {'));
    expect(body(node)).toBe(body(single));
    expect(node).toContain('server_name: nats-2\n');
  });

  it('routes each compose node to every other one', () => {
    for (const node of COMPOSE_CLUSTER_NODES) {
      const routes = composeClusterNodeSettings(node).cluster?.routes ?? [];
      expect(routes).toEqual(
        COMPOSE_CLUSTER_NODES.filter((other) => other !== node).map(
          (other) => `nats-route://${other}:6222`,
        ),
      );
    }
  });

  it('refuses an unknown node and a cluster without routes', () => {
    expect(() => composeClusterNodeSettings('nats-4')).toThrow(
      'nats.conf: no cluster node "nats-4" (nodes: nats-1, nats-2, nats-3)',
    );
    expect(() =>
      renderNatsServerConf(mapper, {
        ...COMPOSE_NATS_SETTINGS,
        cluster: { name: 'c', listen: '127.0.0.1:6222', routes: [] },
      }),
    ).toThrow('nats.conf: cluster "c" lists no route');
  });
});
