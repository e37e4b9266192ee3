import { SchedulerRegistry } from '@nestjs/schedule';
import {
  type RemediationRunRecord,
  RemediationRunRecord as RemediationRunRecordClass,
  RestartLogRecord,
} from '@opscrew/contracts';
import {
  DUE_INDEX_KEY,
  DUE_INDEX_SCHEMA,
  KvDueIndex,
  type KvRevisioned,
  TypedKv,
} from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { ManualClock } from '@opscrew/testing';
import { RemediationRunsRepository } from './remediation-runs.repository';
import { type RemediationEngine } from './remediation.engine';
import { REINDEX_INTERVAL_MS, RemediationWorker } from './remediation.worker';
import { REMEDIATION_START } from './testing/remediation.fakes';
import { runRecord } from './testing/run-session.fixture';

const START = Date.parse(REMEDIATION_START);

function newRun(
  id: string,
  nextAt: number,
  state: RemediationRunRecord['state'] = 'queued',
): RemediationRunRecord {
  return runRecord({
    incident_id: id,
    run_id: `run-${id.slice(-3)}`,
    service: 'cart',
    state,
    owner: 'none',
    next_at: new Date(nextAt).toISOString(),
  });
}

describe('RemediationWorker (due runs from the index)', () => {
  let clock: ManualClock;
  let fake: FakeKv;
  let runs: RemediationRunsRepository;
  let listings: number;
  let advanced: string[];
  let worker: RemediationWorker;
  /** What the fake engine writes when it advances a run (null: leaves it alone). */
  let onAdvance: (run: RemediationRunRecord) => RemediationRunRecord | null;

  beforeEach(() => {
    clock = new ManualClock(START);
    fake = new FakeKv('remediations');
    const kv = fake.asKv();
    listings = 0;
    advanced = [];
    onAdvance = () => null;
    runs = new RemediationRunsRepository(
      new TypedKv(kv, 'remediations', { class: RemediationRunRecordClass }),
      new TypedKv(kv, 'remediations', { class: RestartLogRecord }),
      async () => {
        listings += 1;
        const keys: string[] = [];
        for await (const key of await kv.keys()) keys.push(key);
        return keys;
      },
    );
    const engine = {
      advance: async (entry: KvRevisioned<RemediationRunRecord>) => {
        advanced.push(entry.value.incident_id);
        const next = onAdvance(entry.value);
        if (next) await runs.update(next, entry.revision);
      },
    };
    worker = new RemediationWorker(
      runs,
      engine as unknown as RemediationEngine,
      new SchedulerRegistry(),
      clock.now,
    );
  });

  it('advances only the runs that are due, without listing the bucket after the first tick', async () => {
    await runs.create(newRun('INC-20261124-001', START));
    await runs.create(newRun('INC-20261124-002', START + 60_000));
    await runs.create(newRun('INC-20261124-003', START, 'succeeded'));
    await worker.kick();
    expect(advanced).toEqual(['INC-20261124-001']);
    expect(listings).toBe(1); // the first tick's reindex
    clock.advance(60_000);
    await worker.kick();
    expect(advanced).toEqual(['INC-20261124-001', 'INC-20261124-001', 'INC-20261124-002']);
    expect(listings).toBe(1);
  });

  it('drops a run from the index once the engine finishes it', async () => {
    await runs.create(newRun('INC-20261124-001', START));
    onAdvance = (run) => ({ ...run, state: 'succeeded' });
    await worker.kick();
    await worker.kick();
    expect(advanced).toEqual(['INC-20261124-001']);
    expect(await runs.due(clock.now() + 3_600_000)).toEqual([]);
  });

  it('moves an entry that came too early to the run’s own time once the engine left it alone', async () => {
    await runs.create(newRun('INC-20261124-001', START + 60_000));
    await worker.kick(); // the first tick's full reindex is behind us
    // Pulled in (a crash between two writes leaves such an entry): due now, the run says later.
    await new KvDueIndex(
      new TypedKv(fake.asKv(), 'remediations', DUE_INDEX_SCHEMA),
      DUE_INDEX_KEY,
    ).schedule('INC-20261124-001', START, 0);
    await worker.kick();
    expect(advanced).toEqual(['INC-20261124-001']);
    await worker.kick();
    expect(advanced).toEqual(['INC-20261124-001']);
    clock.advance(60_000);
    await worker.kick();
    expect(advanced).toEqual(['INC-20261124-001', 'INC-20261124-001']);
  });

  it('rebuilds the index from a full scan every REINDEX_INTERVAL_MS (runs written before it existed)', async () => {
    await worker.kick();
    expect(listings).toBe(1);
    clock.advance(REINDEX_INTERVAL_MS);
    await worker.kick();
    expect(listings).toBe(2);
  });
});
