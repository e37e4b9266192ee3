import { type HeartbeatRecord, HeartbeatRecord as HeartbeatRecordClass } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { eventually } from '@opscrew/testing';
import { boardQuietMs, HeartbeatBoard } from './heartbeat-board';

const AT = '2026-12-07T10:00:00.000Z';

function beat(replica: string, at = AT): HeartbeatRecord {
  return {
    agent: 'ops-monitor',
    replica,
    version: '0.1.0',
    pid: 7,
    at,
    started_at: AT,
    uptime_s: 1,
    status: 'ok',
  };
}

function setup(options: { quietMs?: number; maxAgeMs?: number } = {}) {
  const fake = new FakeKv('heartbeats');
  const store = new TypedKv(fake.asKv(), 'heartbeats', { class: HeartbeatRecordClass });
  const warnings: string[] = [];
  let now = 0;
  const listKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    for await (const key of await fake.keys()) keys.push(key);
    return keys;
  };
  const board = new HeartbeatBoard(
    fake.asKv(),
    store,
    listKeys,
    { warn: (message) => warnings.push(message) },
    { ...options, now: () => now },
  );
  const advance = (ms: number): void => {
    now += ms;
  };
  return { fake, store, board, warnings, advance };
}

const ats = async (board: HeartbeatBoard): Promise<string[]> =>
  (await board.read()).map((e) => `${e.key}@${e.value.at}`).sort();

describe('HeartbeatBoard', () => {
  it('reads every key once, then follows the watch without reading again', async () => {
    const { store, board } = setup();
    await store.put('ops-monitor.a', beat('a'));
    expect(await ats(board)).toEqual([`ops-monitor.a@${AT}`]);
    const later = '2026-12-07T10:00:15.000Z';
    await store.put('ops-monitor.a', beat('a', later));
    await store.put('ops-monitor.b', beat('b', later));
    await eventually(async () => (await board.read()).length === 2);
    expect(await ats(board)).toEqual([`ops-monitor.a@${later}`, `ops-monitor.b@${later}`]);
    expect(board.resyncs).toBe(1);
    board.close();
  });

  it('drops a deleted key (watched, or noted by the pruner that deleted it)', async () => {
    const { store, board } = setup();
    await store.put('ops-monitor.a', beat('a'));
    const revision = await store.put('ops-monitor.b', beat('b'));
    expect(await board.read()).toHaveLength(2);
    board.noteDeleted('ops-monitor.b', revision + 1);
    expect(await ats(board)).toEqual([`ops-monitor.a@${AT}`]);
    await store.delete('ops-monitor.a');
    await eventually(async () => (await board.read()).length === 0);
    board.close();
  });

  it('rebuilds a view whose watch ended, went quiet or grew old', async () => {
    const { fake, store, board, advance, warnings } = setup({ quietMs: 1_000, maxAgeMs: 10_000 });
    await store.put('ops-monitor.a', beat('a'));
    await board.read();
    fake.endWatches(new Error('consumer lost'));
    await eventually(() => warnings.some((w) => w.includes('heartbeats watch ended')));
    await board.read();
    expect(board.resyncs).toBe(2);
    // A watch that hears nothing: rebuilt once quiet for quietMs.
    advance(999);
    await board.read();
    expect(board.resyncs).toBe(2);
    advance(1);
    await board.read();
    expect(board.resyncs).toBe(3);
    board.close();
  });

  it('ignores a corrupt value (and says so) rather than failing every read', async () => {
    const { fake, store, board, warnings } = setup();
    await store.put('ops-monitor.a', beat('a'));
    fake.putRaw('ops-monitor.b', '{not json');
    expect(await ats(board)).toEqual([`ops-monitor.a@${AT}`]);
    expect(warnings.join('\n')).toMatch(/ops-monitor\.b/);
    board.close();
  });

  it('scans every read when the bucket cannot be watched, and when closed', async () => {
    const { fake, store, board, warnings } = setup();
    await store.put('ops-monitor.a', beat('a'));
    jest.spyOn(fake, 'watch').mockRejectedValue(new Error('permissions violation'));
    await board.read();
    await board.read();
    expect(board.resyncs).toBe(2);
    expect(warnings.filter((w) => w.includes('cannot watch'))).toHaveLength(1);
    board.close();
    expect(await board.read()).toHaveLength(1);
  });

  it('keeps quiet below half the smallest max_age_s', () => {
    expect(boardQuietMs([60, 120])).toBe(20_000);
    expect(boardQuietMs([10])).toBe(5_000);
    expect(boardQuietMs([])).toBe(20_000);
  });
});
