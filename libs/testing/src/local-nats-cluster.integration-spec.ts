import { existsSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import { LocalNatsCluster } from './local-nats-cluster';
import { jestTimeout } from './scaled-timeout';

/** The launcher itself: nodes, routes, the crew's users, kill / restart by PID, cleanup. */
describe('LocalNatsCluster', () => {
  let cluster: LocalNatsCluster | undefined;
  let nc: NatsConnection | undefined;

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await cluster?.cleanup();
  }, jestTimeout(30_000));

  it(
    'starts three routed nodes with the crew users, survives a SIGKILL of one, restarts it and removes its dir',
    async () => {
      cluster = await LocalNatsCluster.start({ auth: 'crew' });
      expect(cluster.servers()).toHaveLength(3);
      expect(new Set(cluster.servers()).size).toBe(3);

      // The crew's users: admin may reach JetStream's API; a wrong password is refused.
      nc = await connect({ ...cluster.connectOptions('admin'), reconnectTimeWait: 100 });
      const info = await (await nc.jetstreamManager()).getAccountInfo();
      expect(info.api.errors).toBe(0);
      await expect(
        connect({ servers: cluster.servers(), user: 'admin', pass: 'pwrong', reconnect: false }),
      ).rejects.toThrow(/Authorization/i);

      const pid = cluster.pid(1);
      expect(pid).toBeGreaterThan(0);
      await cluster.killNode(1);
      expect(cluster.isRunning(1)).toBe(false);
      expect(cluster.pid(1)).toBeUndefined();
      // Two of three still elect (or keep) a meta leader.
      await cluster.waitReady();

      await cluster.restartNode(1);
      expect(cluster.isRunning(1)).toBe(true);
      expect(cluster.pid(1)).not.toBe(pid);

      await nc.close();
      nc = undefined;
      const dir = cluster.dir;
      await cluster.cleanup();
      expect(cluster.nodes.every((node) => !cluster?.isRunning(node.index))).toBe(true);
      expect(existsSync(dir)).toBe(false);
      cluster = undefined;
    },
    jestTimeout(90_000),
  );
});
