// Over ~300 lines: one setup for every run path (locks, effects, aborts, observe, the audit trail), each case short.
import { type OpscrewConfig } from '@opscrew/config';
import { errorMessage, serviceLockKey } from '@opscrew/contracts';
import { type HttpFetch } from '@opscrew/integrations';
import { RecordingAudit, RecordingPublisher } from '@opscrew/testing';
import {
  FakeFlags,
  fakeLeases,
  FakeLoadDriver,
  shippedConfig,
  withScenario,
} from '../testing/fakes';
import { ManualScheduler } from '@opscrew/integrations/testing';
import { MemoryJournal } from '../testing/memory.journal';
import { ScenarioCatalog } from './scenario.catalog';
import {
  ScenarioBusyError,
  ScenarioPreconditionError,
  ScenarioSetupError,
} from './scenario.errors';
import { ScenarioRunner } from './scenario.runner';
import { ShopFaultClient } from './shop-fault.client';

const SHOP = [
  'frontend',
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
];

function setup(options: { config?: OpscrewConfig; observe?: boolean; fetch?: HttpFetch } = {}) {
  const config = options.config ?? shippedConfig().config;
  const clock = new ManualScheduler();
  const { leases, kv } = fakeLeases(clock);
  const publisher = new RecordingPublisher('demo-controller', clock);
  const load = new FakeLoadDriver();
  const flags = new FakeFlags();
  const journal = new MemoryJournal();
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const audit = new RecordingAudit();
  const runner = new ScenarioRunner(
    new ScenarioCatalog(config),
    load,
    flags,
    new ShopFaultClient('test-shop-token', options.fetch),
    leases,
    publisher,
    journal,
    'demo-controller-test',
    {
      lock: { lease_ms: 60_000, max_hold_ms: 1_800_000 },
      alerting: config.thresholds.alerting,
      ...(options.observe ? { observe: true } : {}),
    },
    clock,
    logger,
    audit,
  );
  return { config, clock, leases, kv, publisher, load, flags, journal, logger, audit, runner };
}

describe('ScenarioRunner', () => {
  it('stress: locks every loaded service, announces, loads, then stops the load before releasing', async () => {
    const { clock, leases, publisher, load, journal, runner } = setup();
    let subjectsAtStop: string[] = [];
    const stop = load.stop.bind(load);
    load.stop = () => {
      subjectsAtStop = publisher.subjects();
      return stop();
    };
    const handle = await runner.start('stress', { durationScale: 0.05 });
    expect(handle.locked).toEqual(SHOP);
    expect(publisher.subjects()).toEqual([...SHOP.map(() => 'lock.acquired'), 'scenario.started']);
    const started = publisher.of('scenario.started')[0];
    expect(started).toMatchObject({
      scenario: 'stress',
      run_id: handle.run_id,
      services: SHOP,
      expected: {
        symptoms: ['high_latency', 'high_error_rate'],
        remediation_expected: false,
        informational_only: true,
      },
      duration_s: 9,
    });
    expect(load.started).toEqual({
      users: 200,
      spawn_rate: 50,
      host: 'http://127.0.0.1:7100',
      run_time_s: 24,
    });
    expect(runner.status()).toMatchObject({ scenario: 'stress', locked: SHOP });
    for (const service of SHOP)
      expect((await leases.current(serviceLockKey(service)))?.holder).toBe(
        `demo-controller-test:${handle.run_id}`,
      );

    await clock.advance(9_000);
    const result = await handle.done;
    expect(load.calls).toEqual(['reset', 'start', 'stats', 'stop']);
    expect(subjectsAtStop.filter((s) => s === 'lock.released')).toEqual([]);
    expect(publisher.subjects().slice(SHOP.length + 1)).toEqual([
      ...SHOP.map(() => 'lock.released'),
      'scenario.finished',
    ]);
    expect(publisher.of('scenario.finished')[0]).toMatchObject({
      run_id: handle.run_id,
      outcome: 'completed',
    });
    for (const service of SHOP) expect(await leases.current(serviceLockKey(service))).toBeNull();
    expect(result).toMatchObject({
      outcome: 'completed',
      locked: SHOP,
      load: { requests: 1200, p99_ms: 120 },
      // 120 ms at the frontend (threshold 3 s), no failures: the load confirms nothing.
      required: [],
    });
    const run = journal.runs.get(handle.run_id);
    expect(run?.locks.filter((l) => l.own && l.released).map((l) => l.service)).toEqual(SHOP);
    expect(run).toMatchObject({
      informational_only: true,
      outcome: 'completed',
      expected_services: SHOP,
    });
    expect(runner.status()).toBeNull();
  });

  it('a load the users felt is ground truth: the crew owes the detection', async () => {
    const { clock, load, runner } = setup();
    load.stats_ = { ...load.stats_, p99_ms: 4_200, fail_ratio: 0.2, failures: 240 };
    const handle = await runner.start('normal', { durationScale: 0.01 });
    await clock.advance(3_000);
    const result = await handle.done;
    expect(result.required).toEqual([
      {
        service: 'frontend',
        symptom: 'high_latency',
        satisfied_by: SHOP,
        because: 'the load measured p99 4200 ms at frontend (threshold 3000 ms)',
      },
      {
        service: 'frontend',
        symptom: 'high_error_rate',
        satisfied_by: SHOP,
        because: 'the load saw 20.0 % failed requests at frontend (threshold 1.0 %)',
      },
    ]);
  });

  it('recovery needs a completed stress run first; one scenario at a time', async () => {
    const { clock, runner } = setup();
    await expect(runner.start('recovery')).rejects.toThrow(ScenarioPreconditionError);
    await expect(runner.start('recovery')).rejects.toThrow(
      'scenario recovery needs a completed "stress" run within the last 60 min first (none has completed): run "stress", then "recovery"',
    );
    const stress = await runner.start('stress', { durationScale: 0.01 });
    await expect(runner.start('normal')).rejects.toThrow(ScenarioBusyError);
    await expect(runner.start('normal')).rejects.toThrow(
      `cannot run "normal": scenario "stress" (run ${stress.run_id}) is running; one scenario at a time`,
    );
    await clock.advance(2_000);
    await stress.done;
    const recovery = await runner.start('recovery', { durationScale: 0.01 });
    await clock.advance(3_000);
    expect((await recovery.done).outcome).toBe('completed');
  });

  it('a failed setup undoes what was done and frees the runner', async () => {
    const { leases, publisher, load, runner } = setup();
    load.failStart = new Error('locust: not reachable at http://127.0.0.1:8089');
    const error = await runner.start('spike').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioSetupError);
    expect(errorMessage(error)).toBe(
      'scenario spike: load 100 users at 100/s on http://127.0.0.1:7100 (builtin, from spike) failed: locust: not reachable at http://127.0.0.1:8089',
    );
    for (const service of SHOP) expect(await leases.current(serviceLockKey(service))).toBeNull();
    expect(publisher.of('lock.released')).toHaveLength(SHOP.length);
    expect(publisher.of('scenario.finished')[0]).toMatchObject({
      outcome: 'failed',
      note: expect.stringContaining('not reachable'),
    });
    expect(runner.status()).toBeNull();
    load.failStart = null;
    await expect(runner.start('normal', { durationScale: 0.01 })).resolves.toMatchObject({
      scenario: 'normal',
    });
  });

  it('flag: background traffic first, flag on; at the end flag off, then traffic stopped', async () => {
    const { clock, flags, load, publisher, runner } = setup();
    const order: string[] = [];
    load.start = (options) => {
      order.push('load start');
      load.started = options;
      return Promise.resolve();
    };
    load.stop = () => {
      order.push('load stop');
      return Promise.resolve();
    };
    const set = flags.setVariant.bind(flags);
    flags.setVariant = (flag, variant) => {
      order.push(`${flag}=${variant}`);
      return set(flag, variant);
    };
    const handle = await runner.start('flagd_payment_failure', { durationScale: 0.01 });
    expect(publisher.of('lock.acquired')).toEqual([]);
    expect(publisher.of('scenario.started')[0]).toMatchObject({
      services: ['payment'],
      expected: {
        symptoms: ['high_error_rate'],
        remediation_expected: false,
        informational_only: false,
      },
    });
    await clock.advance(3_000);
    const result = await handle.done;
    expect(order).toEqual(['load start', 'paymentFailure=100%', 'paymentFailure=off', 'load stop']);
    expect(result.required.map((r) => `${r.service}/${r.symptom}`)).toEqual([
      'payment/high_error_rate',
      'checkout/high_error_rate',
    ]);
    expect(load.started).toMatchObject({ users: 10, spawn_rate: 2 });
  });

  it("fault: armed at each target over the shop's fault API, cleared at the end", async () => {
    const calls: string[] = [];
    const fetch: HttpFetch = (url, init) => {
      calls.push(`${init.method} ${url} ${new Headers(init.headers).get('authorization')}`);
      return Promise.resolve(new Response('{}', { status: 200 }));
    };
    const config = withScenario(shippedConfig().config, 'fault_cart_pool', {
      kind: 'fault',
      fault: 'connection_pool_exhaustion',
      duration_s: 60,
      target_services: ['cart'],
      background_load: 'normal',
      expected: {
        services: [],
        symptoms: ['high_error_rate'],
        remediation_expected: true,
        escalation_expected: false,
      },
    });
    const { clock, runner } = setup({ config, fetch });
    const handle = await runner.start('fault_cart_pool', { durationScale: 0.1 });
    await clock.advance(6_000);
    await handle.done;
    expect(calls).toEqual([
      'POST http://127.0.0.1:7102/faults/connection_pool_exhaustion Bearer test-shop-token',
      'DELETE http://127.0.0.1:7102/faults Bearer test-shop-token',
    ]);

    const refusing: HttpFetch = () =>
      Promise.resolve(new Response('{"error":"missing or wrong bearer token"}', { status: 401 }));
    const other = setup({ config, fetch: refusing });
    await expect(other.runner.start('fault_cart_pool')).rejects.toThrow(
      'scenario fault_cart_pool: fault connection_pool_exhaustion on cart failed: fault API of cart: POST http://127.0.0.1:7102/faults/connection_pool_exhaustion answered 401 (the shop refused the token',
    );
    expect(other.load.calls).toEqual(['reset', 'start', 'stop']);
  });

  it('abort ends the run early and undoes everything', async () => {
    const { leases, publisher, load, runner } = setup();
    const handle = await runner.start('stress');
    const result = await runner.abort('operator says stop');
    expect(result).toMatchObject({
      run_id: handle.run_id,
      outcome: 'aborted',
      note: 'operator says stop',
    });
    expect(load.calls).toContain('stop');
    for (const service of SHOP) expect(await leases.current(serviceLockKey(service))).toBeNull();
    expect(publisher.of('scenario.finished')[0]?.outcome).toBe('aborted');
    expect(await runner.abort()).toBeNull();
  });

  it('a lost lock stops the load at once (stop acting the moment a renew fails)', async () => {
    const { clock, kv, leases, load, runner } = setup();
    const handle = await runner.start('stress');
    await kv.delete(serviceLockKey('cart'));
    await leases.acquire(serviceLockKey('cart'), 'someone-else', 60_000, 'restart');
    await clock.advance(45_000);
    const result = await handle.done;
    expect(result.outcome).toBe('aborted');
    expect(result.note).toMatch(/^lock on cart: lease lost: /);
    expect(load.calls).toContain('stop');
    expect((await leases.current(serviceLockKey('cart')))?.holder).toBe('someone-else');
  });

  it('observe mode announces and journals, but touches nothing', async () => {
    const { clock, leases, load, flags, publisher, runner } = setup({ observe: true });
    const handle = await runner.start('stress', { durationScale: 0.01 });
    expect(await leases.current(serviceLockKey('frontend'))).toBeNull();
    await clock.advance(2_000);
    await handle.done;
    expect(load.calls).toEqual([]);
    expect(flags.calls).toEqual([]);
    expect(publisher.subjects()).toEqual(['scenario.started', 'scenario.finished']);
  });

  describe('audit trail (var/audit/demo-controller.jsonl)', () => {
    const trail = (audit: RecordingAudit): string[] =>
      audit.entries.map(
        (e) => `${e.verdict} ${e.action}: ${e.result.split(': ').slice(1).join(': ')}`,
      );

    it('records a locked load run: locks taken, started, load on and off, locks released, ended', async () => {
      const { clock, audit, runner } = setup();
      const handle = await runner.start('stress', { durationScale: 0.05 });
      await clock.advance(9_000);
      await handle.done;
      expect(audit.entries.map((e) => e.action)).toEqual([
        'lock.acquire',
        'scenario.start',
        'load.start',
        'load.stop',
        'lock.release',
        'scenario.end',
      ]);
      expect(audit.entries.every((e) => e.agent === 'demo-controller')).toBe(true);
      expect(audit.entries[0]?.result).toBe(`${handle.run_id}: locked ${SHOP.join(', ')}`);
      expect(audit.entries[1]?.result).toBe(
        `${handle.run_id}: load scenario stress for 9 s on ${SHOP.join(', ')}`,
      );
      expect(audit.entries[4]?.result).toBe(`${handle.run_id}: released ${SHOP.join(', ')}`);
      expect(audit.entries[5]?.result).toBe(`${handle.run_id}: stress completed`);
      expect(audit.entries[1]?.input).toEqual({ scenario: 'stress', run_id: handle.run_id });
    });

    it('records a flag flipped and restored', async () => {
      const { clock, audit, runner } = setup();
      const handle = await runner.start('flagd_payment_failure', { durationScale: 0.01 });
      await clock.advance(4_000);
      await handle.done;
      expect(trail(audit)).toEqual([
        expect.stringMatching(/^allowed scenario\.start: flag scenario flagd_payment_failure /),
        expect.stringMatching(/^allowed load\.start: load 10 users/),
        'allowed flag.set: flag paymentFailure=100%',
        'allowed flag.restore: flag paymentFailure=100% undone',
        expect.stringMatching(/^allowed load\.stop: load 10 users .* undone$/),
        'allowed scenario.end: flagd_payment_failure completed',
      ]);
    });

    it('records a fault injected and cleared, and a failed clear as such', async () => {
      let clears = 0;
      const fetch: HttpFetch = (_url, init) => {
        if (init.method === 'DELETE' && clears++ > 0)
          return Promise.resolve(new Response('{}', { status: 500 }));
        return Promise.resolve(new Response('{}', { status: 200 }));
      };
      const { clock, audit, runner } = setup({ fetch });
      const first = await runner.start('recommendation_memory_leak', { durationScale: 0.01 });
      await clock.advance(2_000);
      await first.done;
      expect(audit.entries.map((e) => e.action)).toContain('fault.inject');
      expect(trail(audit)).toContain(
        'allowed fault.clear: fault memory_leak on recommendation undone',
      );
      const second = await runner.start('recommendation_memory_leak', { durationScale: 0.01 });
      await clock.advance(2_000);
      await second.done;
      expect(audit.entries.at(-3)?.action).toBe('fault.clear');
      expect(audit.entries.at(-3)?.result).toMatch(
        /fault memory_leak on recommendation undo failed: /,
      );
    });

    it('records refused starts (busy, precondition) and a lost lock', async () => {
      const { clock, kv, leases, audit, runner } = setup();
      await expect(runner.start('recovery')).rejects.toThrow(ScenarioPreconditionError);
      const handle = await runner.start('stress');
      await expect(runner.start('normal')).rejects.toThrow(ScenarioBusyError);
      expect(audit.entries.filter((e) => e.verdict === 'refused').map((e) => e.input)).toEqual([
        { scenario: 'recovery' },
        { scenario: 'normal' },
      ]);
      await kv.delete(serviceLockKey('cart'));
      await leases.acquire(serviceLockKey('cart'), 'someone-else', 60_000, 'restart');
      await clock.advance(45_000);
      await handle.done;
      const lost = audit.entries.find((e) => e.action === 'lock.lost');
      expect(lost?.result).toMatch(/lock on cart lost \(lease lost: .*\); the run stops$/);
      expect(audit.entries.at(-1)?.result).toMatch(/stress aborted/);
    });

    it('fails closed: a trail that cannot be written fails the start and undoes the run', async () => {
      const { leases, load, audit, runner } = setup();
      // lock.acquire is written, scenario.start is not.
      audit.failures.push(null, new Error('disk full'));
      await expect(runner.start('stress')).rejects.toThrow(ScenarioSetupError);
      expect(load.calls).toEqual([]);
      for (const service of SHOP) expect(await leases.current(serviceLockKey(service))).toBeNull();
      expect(runner.status()).toBeNull();
    });
  });
});
