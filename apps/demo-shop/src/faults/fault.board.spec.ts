import { FaultBoard, isFaultName, MEMORY_LEAK_BYTES_PER_REQUEST } from './fault.board';

describe('FaultBoard', () => {
  it('arms each fault by name and clears them all as a restart would', async () => {
    let now = 0;
    const board = new FaultBoard(() => now);
    expect(board.armed()).toEqual([]);
    board.arm('memory_leak');
    board.arm('latency_creep');
    board.arm('connection_pool_exhaustion');
    expect(board.armed()).toEqual(['memory_leak', 'latency_creep', 'connection_pool_exhaustion']);
    board.leak.grow();
    now = 2_000;
    (await board.pool.acquire()).release();
    (await board.pool.acquire()).release();
    expect(board.snapshot()).toEqual({
      memory_leak: {
        armed: true,
        retained_entries: 1,
        retained_bytes: MEMORY_LEAK_BYTES_PER_REQUEST,
        scan_delay_ms: 5,
      },
      latency_creep: { armed: true, delay_ms: 200 },
      connection_pool_exhaustion: { armed: true, size: 10, in_use: 1, leaked: 1, waiting: 0 },
    });
    board.clear();
    expect(board.armed()).toEqual([]);
    expect(board.snapshot()).toMatchObject({
      memory_leak: { retained_bytes: 0 },
      latency_creep: { delay_ms: 0 },
      connection_pool_exhaustion: { in_use: 0, leaked: 0 },
    });
  });

  it('knows its fault names', () => {
    expect(isFaultName('memory_leak')).toBe(true);
    expect(isFaultName('cpu_spike')).toBe(false);
  });
});
