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

/** An incident is worked (triage, runbook, restart, verification) within this, kills included. */
const FINAL_BOUND_MS = 240_000;

/**
 * (a) kill -9 of an agent replica while an incident is being worked. Each round injects a fault
 * into the next shop service, waits until the ledger shows its incident, then — at a random
 * moment of the first seconds of its handling — SIGKILLs one random process of any agent (two
 * per agent in the suite's world: the other replica carries the work, taking over the leader
 * lease where the killed one held it) and starts it again. The
 * incident must still end (resolved or escalated) exactly once: one incident, one ticket, one
 * restart, each notification once.
 */
export const agentKillExperiment: Experiment = {
  name: 'agent-kill',
  title: 'agent replica kill -9 mid-incident',
  async run(context: ExperimentContext): Promise<ExperimentOutcome> {
    const rounds = context.short ? 4 : 20;
    const world = await context.world();
    const { environment } = world;
    const sampler = new RestartSampler(() => environment.observer.restarts());
    await sampler.start();
    const from = Date.now();
    const injected: InjectedFault[] = [];
    const recover: number[] = [];
    const killed: Record<string, number> = {};
    try {
      for (let round = 0; round < rounds; round++) {
        checkAborted(context.signal);
        const service = TARGET_SERVICES[round % TARGET_SERVICES.length] ?? 'cart';
        const fault = await world.inject(
          `faults-kill-${round}-${Date.now().toString(36)}`,
          service,
        );
        injected.push(fault);
        await world.incidentFor(fault.dedup_key);
        // Kill at a random moment of the handling: triage, the runbook's checks, the restart.
        await sleep(Math.floor(context.random() * 4000), context.signal);
        const replicas = environment.replicaList;
        const victim = replicas[Math.floor(context.random() * replicas.length)];
        if (victim === undefined) throw new Error('the world runs no agent process');
        const { agent } = victim;
        const pid = environment.killReplica(victim.name);
        killed[victim.name] = (killed[victim.name] ?? 0) + 1;
        context.say(
          `  round ${round + 1}/${rounds}: ${service} incident, kill -9 ${victim.name} (pid ${pid ?? '?'})`,
        );
        const faultEnd = Date.now();
        await environment.startAgent(agent);
        const healthy = await world.crewHealthy();
        recover.push(healthy === null ? Number.NaN : (Date.now() - faultEnd) / 1000);
        // One incident per service at a time: the next round's service is another one, but
        // this round's incident must end before the suite moves on (the restart counter).
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
    return { rounds, figures, recover_s: recover, details: { killed } };
  },
};
