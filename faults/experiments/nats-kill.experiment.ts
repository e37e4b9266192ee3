import { account, type InjectedFault } from '../fault-accounting';
import { TARGET_SERVICES } from '../fault-world';
import { RestartSampler } from '../restart-sampler';
import {
  checkAborted,
  type Experiment,
  type ExperimentContext,
  type ExperimentOutcome,
  sleep,
} from '../experiment';

const FINAL_BOUND_MS = 240_000;
/** How long the bus stays dead: longer than a heartbeat, shorter than atlas's stale age. */
const DOWN_MS = 5_000;

/**
 * (b) the bus fails under the crew. Each round injects a fault, waits for its incident, then on
 * the suite's three-node cluster SIGKILLs one random node while the other two serve (streams and
 * buckets at three copies keep a quorum) and starts it again from its store; every third round
 * and the last, it stops every node and starts the whole cluster again from disk. The incident
 * must still end exactly once. In a one-node world (natsNodes: 1) a kill is a whole-bus outage.
 */
export const natsKillExperiment: Experiment = {
  name: 'nats-kill',
  title: 'NATS node kill -9 mid-incident, whole-cluster restart from disk',
  async run(context: ExperimentContext): Promise<ExperimentOutcome> {
    const rounds = context.short ? 2 : 6;
    const world = await context.world();
    const { environment } = world;
    const sampler = new RestartSampler(() => environment.observer.restarts());
    await sampler.start();
    const from = Date.now();
    const injected: InjectedFault[] = [];
    const recover: number[] = [];
    const kinds: string[] = [];
    try {
      for (let round = 0; round < rounds; round++) {
        checkAborted(context.signal);
        const service = TARGET_SERVICES[(round * 3) % TARGET_SERVICES.length] ?? 'cart';
        const fault = await world.inject(
          `faults-nats-${round}-${Date.now().toString(36)}`,
          service,
        );
        injected.push(fault);
        await world.incidentFor(fault.dedup_key);
        await sleep(Math.floor(context.random() * 3000), context.signal);
        // Every third round, and always the last (short mode has two): the restart from disk.
        const restartAll = round % 3 === 2 || round === rounds - 1;
        const kind = restartAll ? 'restart-all-from-disk' : 'kill-9';
        kinds.push(kind);
        const { cluster } = world;
        if (cluster !== null) {
          const node = Math.floor(context.random() * cluster.nodes.length);
          if (restartAll) await cluster.stopAll();
          else await cluster.killNode(node);
          const what = restartAll ? 'every node' : (cluster.nodes[node]?.name ?? `node ${node}`);
          context.say(
            `  round ${round + 1}/${rounds}: ${service} incident, NATS ${kind} (${what})`,
          );
          await sleep(DOWN_MS, context.signal);
          if (restartAll) await cluster.restartAll();
          else await cluster.restartNode(node);
        } else {
          if (!restartAll) environment.killNats();
          context.say(`  round ${round + 1}/${rounds}: ${service} incident, NATS ${kind}`);
          await sleep(DOWN_MS, context.signal);
          await environment.restartNats();
        }
        const faultEnd = Date.now();
        const healthy = await world.crewHealthy();
        recover.push(healthy === null ? Number.NaN : (Date.now() - faultEnd) / 1000);
        await world.allFinal([fault.dedup_key], FINAL_BOUND_MS);
      }
    } finally {
      await sampler.stop();
    }
    const figures = account({
      injected,
      incidents: await world.ledger(),
      tickets: (await environment.observer.tickets()).map((t) => ({
        key: t.key,
        incident_id: t.incident_id,
      })),
      restarts: sampler.restarts,
      notifications: environment
        .notifications()
        .map((line) => ({ identity: line.idempotency_key, unconfirmed: false })),
      window: { from, to: Date.now() },
    });
    return {
      rounds,
      figures,
      recover_s: recover,
      details: {
        kinds,
        topology:
          world.cluster === null ? 'single-node' : `${world.cluster.nodes.length}-node cluster`,
        agent_processes: environment.replicaList.length,
      },
    };
  },
};
