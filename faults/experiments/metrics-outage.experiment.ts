import { poll } from '../../apps/cli/src/demo/demo-observer';
import { account } from '../fault-accounting';
import { RestartSampler } from '../restart-sampler';
import {
  type Experiment,
  type ExperimentContext,
  type ExperimentOutcome,
  sleep,
} from '../experiment';

/** The shop's memory leak at the demo story's compression: the loop bench's detection probe. */
const PROBE_SCENARIO = 'recommendation_memory_leak';
const PROBE_SERVICE = 'recommendation';
const PROBE_SCALE = 0.3;
/** The leak is detected within this once metrics flow (a detection cycle of 1 s, a climb). */
const DETECTION_BOUND_MS = 120_000;

/**
 * (e) the metrics source goes dark for many detection cycles while the shop keeps serving,
 * then comes back. No incident may be opened for the outage (the crew cannot see, it must not
 * guess), and detection must resume: a real fault started after the outage is detected.
 */
export const metricsOutageExperiment: Experiment = {
  name: 'metrics-outage',
  title: 'metrics source down for several cycles, then back',
  async run(context: ExperimentContext): Promise<ExperimentOutcome> {
    const outageMs = context.short ? 15_000 : 60_000;
    const world = await context.world({ metricsProxy: true });
    const { environment } = world;
    const proxy = world.proxy;
    if (proxy === null) throw new Error('metrics-outage: the world has no metrics proxy');
    const sampler = new RestartSampler(() => environment.observer.restarts());
    await sampler.start();
    try {
      // A quiet start: the crew's baselines see the shop before the lights go out.
      await sleep(10_000, context.signal);
      const from = Date.now();
      proxy.setDown(true);
      context.say(`  metrics down for ${outageMs / 1000} s`);
      await sleep(outageMs, context.signal);
      proxy.setDown(false);
      const faultEnd = Date.now();
      const healthy = await world.crewHealthy();
      const recoverS = healthy === null ? Number.NaN : (Date.now() - faultEnd) / 1000;
      // A few cycles with metrics back: a false incident from the gap shows up here too.
      await sleep(10_000, context.signal);
      const quietUntil = Date.now();
      const afterOutage = await world.ledger();
      const falseIncidents = account({
        injected: [],
        incidents: afterOutage,
        window: { from, to: quietUntil },
      });
      context.say(`  probe: ${PROBE_SCENARIO} (detection must resume)`);
      const run = await environment.scenarios.run(PROBE_SCENARIO, PROBE_SCALE);
      const probeStart = Date.now();
      const detected = await poll(
        async () =>
          (await world.ledger()).find(
            (incident) =>
              incident.service === PROBE_SERVICE && incident.detected_at >= probeStart - 5_000,
          ),
        DETECTION_BOUND_MS,
        1000,
        context.signal,
      );
      await environment.scenarios.waitIdle(DETECTION_BOUND_MS);
      await sampler.stop();
      return {
        rounds: 1,
        // The probe is the one fault of this experiment: undetected, it is lost.
        figures: {
          ...falseIncidents,
          incidents_injected: 1,
          lost: detected ? 0 : 1,
          problems: [
            ...falseIncidents.problems,
            ...(detected ? [] : [`the ${PROBE_SCENARIO} probe was not detected`]),
          ],
        },
        recover_s: [recoverS],
        details: {
          outage_s: outageMs / 1000,
          false_incidents: falseIncidents.unattributed_incidents,
          probe_run: run.run_id,
          detection_after_s: detected ? (detected.detected_at - probeStart) / 1000 : null,
        },
        checks: {
          no_false_incidents: falseIncidents.unattributed_incidents === 0,
          detection_resumed: detected !== undefined,
        },
      };
    } finally {
      await sampler.stop();
      proxy.setDown(false);
    }
  },
};
