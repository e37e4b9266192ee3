import { Logger } from '@nestjs/common';
import { KV_BUCKETS, scenarioRunKey, ScenarioRunRecord } from '@opscrew/contracts';
import { KvFactory, type NatsConnectionService, type TypedKv } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { openedIncident, openScenarioRun } from '../testing/scenario-run.fixture';
import { addIncident, hasIncident, markResolved } from './run-observations';
import { ScenarioRunStore } from './scenario-run.store';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

const T0 = Date.parse('2025-01-31T12:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const incidentId = (n: number): string => `INC-20250131-${String(n).padStart(3, '0')}`;
const ids = (run: ScenarioRunRecord | null | undefined): string[] =>
  (run?.incidents ?? []).map((i) => i.incident_id).sort();

describe('ScenarioRunStore: two demo-controller replicas on one learning bucket (NATS)', () => {
  const namespace = testNamespace();
  let busA: NatsConnectionService;
  let busB: NatsConnectionService;
  let runsA: TypedKv<ScenarioRunRecord>;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    // Two processes: each replica has its own connection.
    ({ bus: busA } = await openTestBus(NATS_URL, namespace, 'demo-controller-a'));
    ({ bus: busB } = await openTestBus(NATS_URL, namespace, 'demo-controller-b'));
    runsA = await new KvFactory(busA).open(KV_BUCKETS.learning, { class: ScenarioRunRecord });
  });

  afterAll(async () => {
    await removeTestTopology(busA);
    await busB.close();
    await busA.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  async function replica(bus: NatsConnectionService): Promise<ScenarioRunStore> {
    const kv = new KvFactory(bus);
    const runs = await kv.open(KV_BUCKETS.learning, { class: ScenarioRunRecord });
    const store = new ScenarioRunStore(runs, () => kv.listKeys(KV_BUCKETS.learning));
    await store.load();
    return store;
  }

  it('one replica starts a run, the other records into it; both see the merged record', async () => {
    const runId = 'flagd_payment_failure-20250131T120000-mrg1';
    const [a, b] = [await replica(busA), await replica(busB)];
    await a.add(openScenarioRun(runId));

    // B did not start the run: it finds it by time, as a bus event's handler does.
    const found = await b.runAt(T0 + 5_000);
    expect(found?.run_id).toBe(runId);
    await b.update(runId, (run) => addIncident(run, openedIncident(incidentId(1), at(5))));
    await a.update(runId, (run) => addIncident(run, openedIncident(incidentId(2), at(6))));
    expect(
      await b.updateWhere(
        (run) => hasIncident(run, incidentId(2)),
        (run) => markResolved(run, incidentId(2), at(30)),
      ),
    ).toBe(1);

    const stored = (await runsA.get(scenarioRunKey(runId)))?.value;
    expect(ids(stored)).toEqual([incidentId(1), incidentId(2)]);
    expect(stored?.incidents.find((i) => i.incident_id === incidentId(2))?.resolved_at).toBe(
      at(30),
    );
    // Each replica's own view holds the merged record too.
    const seenByA = await a.update(runId, () => false);
    const seenByB = await b.update(runId, () => false);
    expect(ids(seenByA)).toEqual([incidentId(1), incidentId(2)]);
    expect(seenByB).toEqual(seenByA);

    const closed = await Promise.all([a.close(runId), b.close(runId)]);
    expect(closed.filter((run) => run !== null)).toHaveLength(1);
    expect((await runsA.get(scenarioRunKey(runId)))?.value.scored).toBe(true);
  });

  it('loses nothing when both replicas write the run at once', async () => {
    const runId = 'flagd_payment_failure-20250131T120000-cnc2';
    const [a, b] = [await replica(busA), await replica(busB)];
    await a.add(openScenarioRun(runId));
    const each = 15;

    // Two replicas, each with a few handlers in flight (its store still writes one at a time).
    await Promise.all(
      Array.from({ length: each }, (_, i) => [
        a.update(runId, (run) => addIncident(run, openedIncident(incidentId(100 + i), at(i)))),
        b.update(runId, (run) => addIncident(run, openedIncident(incidentId(200 + i), at(i)))),
      ]).flat(),
    );

    const stored = (await runsA.get(scenarioRunKey(runId)))?.value;
    expect(ids(stored)).toHaveLength(2 * each);
    expect(ids(stored)).toEqual(
      [
        ...Array.from({ length: each }, (_, i) => incidentId(100 + i)),
        ...Array.from({ length: each }, (_, i) => incidentId(200 + i)),
      ].sort(),
    );
  });
});
