import { poll } from '../../apps/cli/src/demo/demo-observer';
import { account, type InjectedFault, lockTakeovers } from '../fault-accounting';
import { TARGET_SERVICES } from '../fault-world';
import { LockWatcher } from '../lock-watcher';
import { RestartSampler } from '../restart-sampler';
import {
  checkAborted,
  type Experiment,
  type ExperimentContext,
  type ExperimentOutcome,
} from '../experiment';

/** jira-resolver's restart lease is 60 s: a takeover after expiry plus the runbook's end. */
const FINAL_BOUND_MS = 300_000;
/** The runbook reaches its restart step (and takes the service's lease) within this. */
const LEASE_BOUND_MS = 90_000;

/**
 * (c) the lock holder dies holding the lock. Each round injects a fault, waits until
 * jira-resolver holds the service's lease (`service.<name>` in the locks bucket, watched from
 * the start), SIGKILLs jira-resolver and starts it again. The resumed run either still holds
 * the lease (same revision: fenced) or takes it over after it expired; a watcher that saw
 * every write to the bucket checks there were never two holders at once.
 */
export const lockHolderCrashExperiment: Experiment = {
  name: 'lock-holder-crash',
  title: 'lock holder crash while holding a lock',
  async run(context: ExperimentContext): Promise<ExperimentOutcome> {
    const rounds = context.short ? 2 : 6;
    const world = await context.world();
    const { environment } = world;
    const locks = await LockWatcher.start(environment.bus);
    const sampler = new RestartSampler(() => environment.observer.restarts());
    await sampler.start();
    const from = Date.now();
    const injected: InjectedFault[] = [];
    const recover: number[] = [];
    let killedHolding = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        checkAborted(context.signal);
        const service = TARGET_SERVICES[(round * 5) % TARGET_SERVICES.length] ?? 'cart';
        const seen = locks.writes.length;
        const fault = await world.inject(
          `faults-lock-${round}-${Date.now().toString(36)}`,
          service,
        );
        injected.push(fault);
        const held = await poll(
          () =>
            Promise.resolve(
              locks.writes
                .slice(seen)
                .find((write) => write.op === 'put' && write.key.endsWith(service)),
            ),
          LEASE_BOUND_MS,
          100,
          context.signal,
        );
        // With replicas: the process holding the lease. Its holder is `<agent>-<host>-<pid>-…`
        // (a process of its own, not the replica id), so the PID finds the replica.
        const replicas = environment.replicasOf('jira-resolver');
        const tokens = (held?.holder ?? '').split(/[^a-z0-9]+/);
        const holder = replicas.find((replica) => {
          const pid = environment.replicaPid(replica.name);
          return pid !== null && tokens.includes(String(pid));
        });
        const victim = holder ?? replicas[0];
        const pid = victim === undefined ? null : environment.killReplica(victim.name);
        // One process: it is the holder. Several: only when the lease named the one killed.
        if (held !== undefined && (replicas.length === 1 || holder !== undefined))
          killedHolding += 1;
        context.say(
          `  round ${round + 1}/${rounds}: ${service} ${held ? `lease held by ${held.holder ?? '?'}` : 'no lease seen'}, kill -9 ${victim?.name ?? 'jira-resolver'} (pid ${pid ?? '?'})`,
        );
        const faultEnd = Date.now();
        await environment.startAgent('jira-resolver');
        const healthy = await world.crewHealthy();
        recover.push(healthy === null ? Number.NaN : (Date.now() - faultEnd) / 1000);
        await world.allFinal([fault.dedup_key], FINAL_BOUND_MS);
      }
    } finally {
      await sampler.stop();
      locks.stop();
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
      locks: locks.writes,
      window: { from, to: Date.now() },
    });
    return {
      rounds,
      figures,
      recover_s: recover,
      details: {
        killed_while_holding: killedHolding,
        lock_writes: locks.writes.length,
        takeovers_after_expiry: lockTakeovers(locks.writes),
      },
      checks: { killed_while_holding_a_lease: killedHolding > 0 },
    };
  },
};
