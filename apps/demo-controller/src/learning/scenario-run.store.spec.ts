import { scenarioRunKey, ScenarioRunRecord } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { openedIncident, openScenarioRun } from '../testing/scenario-run.fixture';
import { addIncident, hasIncident, markResolved } from './run-observations';
import {
  DuplicateScenarioRunError,
  RUN_VIEW_MAX_AGE_MS,
  ScenarioRunStore,
} from './scenario-run.store';

const RUN = 'flagd_payment_failure-20250131T120000-abcd';
const T0 = Date.parse('2025-01-31T12:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

/** Two replicas' stores on one bucket, each with its own view clock. */
function twoReplicas() {
  const kv = new FakeKv('learning');
  const runs = new TypedKv(kv.asKv(), 'learning', { class: ScenarioRunRecord });
  const listKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    return keys;
  };
  const clock = { ms: 0 };
  const store = (): ScenarioRunStore => new ScenarioRunStore(runs, listKeys, () => clock.ms);
  const stored = async (): Promise<ScenarioRunRecord | undefined> =>
    (await runs.get(scenarioRunKey(RUN)))?.value;
  return { kv, runs, clock, a: store(), b: store(), stored };
}

const incidentIds = (run: ScenarioRunRecord | null | undefined): string[] =>
  (run?.incidents ?? []).map((i) => i.incident_id).sort();

describe('ScenarioRunStore across replicas', () => {
  it('a replica that did not start the run finds it and records into it; both see the merged record', async () => {
    const r = twoReplicas();
    await r.b.load(); // B's view is taken before the run exists
    await r.a.add(openScenarioRun(RUN));

    const found = await r.b.runAt(T0 + 5_000);
    expect(found?.run_id).toBe(RUN);
    await r.b.update(RUN, (run) => addIncident(run, openedIncident('INC-20250131-001', at(5))));
    // A's copy is stale (no …-001): its write still lands on the stored record.
    const afterA = await r.a.update(RUN, (run) =>
      addIncident(run, openedIncident('INC-20250131-002', at(6))),
    );

    expect(incidentIds(afterA)).toEqual(['INC-20250131-001', 'INC-20250131-002']);
    expect(incidentIds(await r.stored())).toEqual(['INC-20250131-001', 'INC-20250131-002']);
    r.clock.ms += RUN_VIEW_MAX_AGE_MS;
    expect(incidentIds((await r.b.openRuns())[0])).toEqual([
      'INC-20250131-001',
      'INC-20250131-002',
    ]);
  });

  it('loses no observation when both replicas write the run at once', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    // Every write yields first, so the two replicas' reads and CAS writes interleave.
    r.kv.beforeWrite = () => new Promise((resolve) => setImmediate(resolve));
    const writes = [];
    for (let i = 0; i < 8; i++) {
      writes.push(
        r.a.update(RUN, (run) => addIncident(run, openedIncident(`INC-20250131-10${i}`, at(i)))),
      );
      writes.push(
        r.b.update(RUN, (run) => addIncident(run, openedIncident(`INC-20250131-20${i}`, at(i)))),
      );
    }
    await Promise.all(writes);

    const ids = incidentIds(await r.stored());
    expect(ids).toHaveLength(16);
    for (let i = 0; i < 8; i++)
      expect(ids).toEqual(expect.arrayContaining([`INC-20250131-10${i}`, `INC-20250131-20${i}`]));
  });

  it('updateWhere judges each stored record: an incident another replica just added is resolved', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    await r.b.load(); // B holds the run without the incident
    await r.a.update(RUN, (run) => addIncident(run, openedIncident('INC-20250131-001', at(5))));

    const changed = await r.b.updateWhere(
      (run) => hasIncident(run, 'INC-20250131-001'),
      (run) => markResolved(run, 'INC-20250131-001', at(30)),
    );

    expect(changed).toBe(1);
    expect((await r.stored())?.incidents[0]?.resolved_at).toBe(at(30));
  });

  it('judges a change on the stored record, not a stale copy: a resolution is not dropped', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    await r.b.load(); // B's copy has no incident
    await r.a.update(RUN, (run) => addIncident(run, openedIncident('INC-20250131-001', at(5))));

    const after = await r.b.update(RUN, (run) => markResolved(run, 'INC-20250131-001', at(30)));

    expect(after?.incidents[0]?.resolved_at).toBe(at(30));
    expect((await r.stored())?.incidents[0]?.resolved_at).toBe(at(30));
  });

  it('closes a run once: of two replicas closing it, one gets the record and the other nothing', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    await r.b.update(RUN, (run) => addIncident(run, openedIncident('INC-20250131-001', at(5))));
    r.kv.beforeWrite = () => new Promise((resolve) => setImmediate(resolve));

    const [fromA, fromB] = await Promise.all([r.a.close(RUN), r.b.close(RUN)]);

    const winners = [fromA, fromB].filter((run) => run !== null);
    expect(winners).toHaveLength(1);
    // The winner scores the freshest record, the other replica's observation included.
    expect(incidentIds(winners[0])).toEqual(['INC-20250131-001']);
    expect((await r.stored())?.scored).toBe(true);
    expect(await r.a.update(RUN, () => true)).toBeNull();
    expect(await r.b.runAt(T0 + 5_000)).toBeUndefined();
    expect(await r.a.openRuns()).toEqual([]);
  });

  it('a run closed elsewhere leaves this replica’s view once it is read again', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    expect(await r.b.runAt(T0 + 5_000)).toBeDefined();
    await r.a.close(RUN);

    // Within the view's age B still answers from memory; past it, from the bucket.
    r.clock.ms += RUN_VIEW_MAX_AGE_MS;
    expect(await r.b.runAt(T0 + 5_000)).toBeUndefined();
    expect(await r.b.openRuns()).toEqual([]);
  });

  it('a window another replica closed is seen once the view is older than its age bound', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    expect(await r.b.runAt(T0 + 600_000)).toBeDefined(); // open-ended while running
    await r.a.update(RUN, (run) => {
      run.finished_at = at(60);
      run.window_until = at(120);
      return true;
    });

    r.clock.ms += RUN_VIEW_MAX_AGE_MS;
    expect(await r.b.runAt(T0 + 600_000)).toBeUndefined();
    expect((await r.b.runAt(T0 + 100_000))?.window_until).toBe(at(120));
  });

  it('refuses a duplicate run id, naming it, and leaves the stored run alone', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    await r.a.update(RUN, (run) => addIncident(run, openedIncident('INC-20250131-001', at(5))));

    const again = r.b.add(openScenarioRun(RUN));
    await expect(again).rejects.toBeInstanceOf(DuplicateScenarioRunError);
    await expect(again).rejects.toThrow(RUN);
    expect(incidentIds(await r.stored())).toEqual(['INC-20250131-001']);
  });

  it('writes nothing when a change reports none, and nothing for an unknown run', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    const revision = r.kv.revisionOf(scenarioRunKey(RUN));

    expect((await r.b.update(RUN, () => false))?.run_id).toBe(RUN);
    expect(await r.b.update('other-run', () => true)).toBeNull();
    expect(r.kv.revisionOf(scenarioRunKey(RUN))).toBe(revision);
    expect(r.kv.revisionOf(scenarioRunKey('other-run'))).toBeUndefined();
  });

  it('reopens a run whose scoring failed after closing it', async () => {
    const r = twoReplicas();
    await r.a.add(openScenarioRun(RUN));
    expect(await r.a.close(RUN)).not.toBeNull();

    await r.a.reopen(RUN);

    expect((await r.stored())?.scored).toBe(false);
    expect((await r.a.openRuns()).map((run) => run.run_id)).toEqual([RUN]);
    expect((await r.b.load()).map((run) => run.run_id)).toEqual([RUN]);
  });

  it('skips a corrupt record and still finds the open runs', async () => {
    const r = twoReplicas();
    r.kv.putRaw(scenarioRunKey('broken-run'), '{not json');
    await r.a.add(openScenarioRun(RUN));

    expect((await r.b.load()).map((run) => run.run_id)).toEqual([RUN]);
  });
});
