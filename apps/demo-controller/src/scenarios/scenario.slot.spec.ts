import { KV_BUCKETS, LeaseRecord } from '@opscrew/contracts';
import { ManualScheduler } from '@opscrew/integrations/testing';
import { LeaseService, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingPublisher } from '@opscrew/testing';
import { FakeFlags, fakeLeases, FakeLoadDriver, shippedConfig } from '../testing/fakes';
import { MemoryJournal } from '../testing/memory.journal';
import { ScenarioCatalog } from './scenario.catalog';
import { ScenarioBusyError } from './scenario.errors';
import { ScenarioRunner } from './scenario.runner';
import { ACTIVE_SCENARIO_KEY, ACTIVE_SCENARIO_TTL_MS, ScenarioSlot } from './scenario.slot';
import { ShopFaultClient } from './shop-fault.client';

/** Two demo-controller replicas: their own runners, one shared `leaders` bucket. */
function replicas() {
  const { config } = shippedConfig();
  const clock = new ManualScheduler();
  const leaders = new FakeKv(KV_BUCKETS.leaders);
  const slotLeases = new LeaseService(
    new TypedKv(leaders.asKv(), 'leaders', { class: LeaseRecord }),
    clock,
  );
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const runner = (replica: string) =>
    new ScenarioRunner(
      new ScenarioCatalog(config),
      new FakeLoadDriver(),
      new FakeFlags(),
      new ShopFaultClient('test-shop-token'),
      fakeLeases(clock).leases,
      new RecordingPublisher('demo-controller', clock),
      new MemoryJournal(),
      `demo-controller-${replica}`,
      { lock: { lease_ms: 60_000, max_hold_ms: 1_800_000 }, alerting: config.thresholds.alerting },
      clock,
      logger,
      null,
      new ScenarioSlot(slotLeases, replica, clock, logger),
    );
  return {
    clock,
    slotLeases,
    logger,
    a: runner('demo-controller-0'),
    b: runner('demo-controller-1'),
  };
}

describe('ScenarioSlot: one scenario across replicas', () => {
  it('refuses a start on another replica naming the running scenario, its run and replica', async () => {
    const { clock, slotLeases, a, b } = replicas();
    const handle = await a.start('normal', { durationScale: 0.01 });
    const refused = await b.start('stress').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ScenarioBusyError);
    expect((refused as Error).message).toBe(
      `cannot run "stress": scenario "normal" (run ${handle.run_id}) is running on replica demo-controller-0; one scenario at a time`,
    );
    expect(b.status()).toBeNull();
    // Renewed while it runs: still held after several lease lengths.
    await clock.advance(ACTIVE_SCENARIO_TTL_MS * 3);
    await a.abort();
    await handle.done;
    // Deleted at the end: the other replica starts at once.
    expect(await slotLeases.current(ACTIVE_SCENARIO_KEY)).toBeNull();
    const next = await b.start('normal', { durationScale: 0.01 });
    expect((await slotLeases.current(ACTIVE_SCENARIO_KEY))?.holder).toBe(
      `demo-controller-1:${next.run_id}`,
    );
    await b.abort();
  });

  it('a replica that died mid-run blocks others only until its slot expires', async () => {
    const { clock, slotLeases, b } = replicas();
    // The dead replica's slot: taken, never renewed.
    await slotLeases.acquire(
      ACTIVE_SCENARIO_KEY,
      'demo-controller-9:normal-x',
      ACTIVE_SCENARIO_TTL_MS,
      'normal',
    );
    await expect(b.start('normal')).rejects.toThrow(/on replica demo-controller-9/);
    await clock.advance(ACTIVE_SCENARIO_TTL_MS);
    const handle = await b.start('normal', { durationScale: 0.01 });
    expect(handle.scenario).toBe('normal');
    await b.abort();
  });

  it('a run whose slot was taken from it ends itself (another replica may be running)', async () => {
    const { clock, slotLeases, logger, a } = replicas();
    const handle = await a.start('normal', { durationScale: 1 });
    const lease = (await slotLeases.current(ACTIVE_SCENARIO_KEY))!;
    await slotLeases.release(lease); // an operator cleared it; another replica could start now
    await clock.advance(ACTIVE_SCENARIO_TTL_MS);
    const result = await handle.done;
    expect(result.outcome).toBe('aborted');
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/slot was lost/));
  });
});
