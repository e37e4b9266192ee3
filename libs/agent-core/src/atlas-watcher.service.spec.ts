import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type LoadedConfig } from '@opscrew/config';
import { HeartbeatRecord } from '@opscrew/contracts';
import { type BusOutage, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { ManualClock, RecordingOutbox } from '@opscrew/testing';
import { AtlasWatcher } from './atlas-watcher.service';

const MAX_AGE_S = 120;

function watcherConfig(): LoadedConfig {
  return {
    config: {
      agents: new Map([
        [
          'atlas',
          {
            enabled: true,
            max_age_s: MAX_AGE_S,
            liveness: { check_interval_s: 10, on_stale: 'notify' },
          },
        ],
      ]),
    },
  } as unknown as LoadedConfig;
}

function setup(options: { notices?: boolean } = {}) {
  const clock = new ManualClock('2026-11-24T10:00:00.000Z');
  const heartbeats = new TypedKv(new FakeKv('heartbeats').asKv(), 'heartbeats', {
    class: HeartbeatRecord,
  });
  const loaded = watcherConfig();
  let outage: BusOutage | null = null;
  const bus = { lastOutage: () => outage };
  const outbox = new RecordingOutbox();
  // Every replica's key, read fresh (the board's watch is specified in heartbeat-board.spec).
  const source = { read: () => heartbeats.values() };
  const watcher = new AtlasWatcher(
    source,
    loaded,
    bus,
    new SchedulerRegistry(),
    options.notices === false ? null : outbox,
    clock,
  );
  const beat = async (replica = 'atlas-0'): Promise<void> => {
    await heartbeats.put(`atlas.${replica}`, {
      agent: 'atlas',
      replica,
      version: '0.1.0',
      pid: 7,
      at: clock.iso(),
      started_at: '2026-11-24T09:00:00.000Z',
      uptime_s: 60,
      status: 'ok',
    });
  };
  const setOutage = (value: BusOutage): void => {
    outage = value;
  };
  const another = (): AtlasWatcher =>
    new AtlasWatcher(source, loaded, bus, new SchedulerRegistry(), outbox, clock);
  return { clock, watcher, outbox, beat, setOutage, another };
}

describe('AtlasWatcher', () => {
  let errors: jest.SpyInstance;
  let logs: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('is quiet while atlas beats within max_age_s', async () => {
    const { clock, watcher, outbox, beat } = setup();
    await beat();
    clock.advance(MAX_AGE_S * 1000);
    await watcher.check();
    expect(outbox.calls).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });

  it('is quiet while any atlas replica beats, however old the others', async () => {
    const { clock, watcher, outbox, beat } = setup();
    await beat('atlas-0');
    clock.advance(MAX_AGE_S * 1000 + 1);
    await beat('atlas-1');
    await watcher.check();
    expect(outbox.calls).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });

  it('names the outage by the newest beat of any replica once all are stale', async () => {
    const { clock, watcher, outbox, beat } = setup();
    await beat('atlas-0');
    clock.advance(5_000);
    await beat('atlas-1');
    const lastBeat = clock.iso();
    clock.advance(MAX_AGE_S * 1000 + 1);
    await watcher.check();
    expect(outbox.created).toEqual([`atlas-stale:${lastBeat}`]);
  });

  it('reads a heartbeat from before replicas (key `atlas`, no replica field)', async () => {
    const { clock, outbox } = setup();
    const legacy = new TypedKv(new FakeKv('heartbeats').asKv(), 'heartbeats', {
      class: HeartbeatRecord,
    });
    await legacy.put('atlas', {
      agent: 'atlas',
      version: '0.0.9',
      pid: 3,
      at: clock.iso(),
      started_at: '2026-11-24T09:00:00.000Z',
      uptime_s: 60,
      status: 'ok',
    });
    const lastBeat = clock.iso();
    clock.advance(MAX_AGE_S * 1000 + 1);
    const old = new AtlasWatcher(
      { read: () => legacy.values() },
      watcherConfig(),
      { lastOutage: () => null },
      new SchedulerRegistry(),
      outbox,
      clock,
    );
    await old.check();
    expect(outbox.created).toEqual([`atlas-stale:${lastBeat}`]);
  });

  it('says nothing about an atlas never seen (not started yet)', async () => {
    const { watcher, outbox } = setup();
    await watcher.check();
    expect(outbox.calls).toEqual([]);
  });

  it('logs an error once and sends one notice per outage, then says when atlas is back', async () => {
    const { clock, watcher, outbox, beat } = setup();
    await beat();
    const lastBeat = clock.iso();
    clock.advance(MAX_AGE_S * 1000 + 1);
    await watcher.check();
    clock.advance(10_000);
    await watcher.check();
    await watcher.check();

    expect(errors).toHaveBeenCalledTimes(1);
    expect(outbox.notifications()).toHaveLength(1);
    expect(outbox.notifications()[0]?.notification).toMatchObject({
      idempotency_key: `atlas-stale:${lastBeat}`,
      kind: 'escalation',
      title: 'atlas is stale',
    });

    await beat();
    await watcher.check();
    expect(logs).toHaveBeenCalledWith(expect.stringContaining('atlas is alive again'));
    expect(outbox.created).toEqual([`atlas-stale:${lastBeat}`, `atlas-back:${lastBeat}`]);
  });

  it('several agents noticing the same outage make one notice (the shared key)', async () => {
    const { clock, watcher, outbox, beat, another } = setup();
    await beat();
    clock.advance(MAX_AGE_S * 1000 + 1);
    await watcher.check();
    await another().check();
    expect(outbox.calls).toHaveLength(2);
    expect(outbox.notifications()).toHaveLength(1);
  });

  it('retries a notice whose enqueue failed on the next pass', async () => {
    const { clock, watcher, outbox, beat } = setup();
    await beat();
    clock.advance(MAX_AGE_S * 1000 + 1);
    outbox.failures.push(new Error('bus down'));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await watcher.check();
    expect(outbox.notifications()).toHaveLength(0);
    await watcher.check();
    expect(outbox.notifications()).toHaveLength(1);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it('after our own bus outage, judges atlas from the reconnect', async () => {
    const { clock, watcher, outbox, beat, setOutage } = setup();
    await beat();
    clock.advance(100_000);
    const down = clock.date();
    clock.advance(13_000);
    setOutage({ down, back: clock.date(), settle_ms: 0 });
    clock.advance(MAX_AGE_S * 1000);
    await watcher.check();
    expect(outbox.calls).toEqual([]);
    clock.advance(1);
    await watcher.check();
    expect(outbox.notifications()).toHaveLength(1);
  });

  it('without a notifier path it still logs the error', async () => {
    const { clock, watcher, outbox, beat } = setup({ notices: false });
    await beat();
    clock.advance(MAX_AGE_S * 1000 + 1);
    await watcher.check();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(outbox.calls).toEqual([]);
  });
});
