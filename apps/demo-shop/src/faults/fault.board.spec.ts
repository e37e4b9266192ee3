import {
  FaultBoard,
  isFaultName,
  MEMORY_LEAK_BACKGROUND_INTERVAL_MS,
  MEMORY_LEAK_BYTES_PER_REQUEST,
} from './fault.board';

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

  it('grows the leak on its own too, whatever the traffic, until cleared', () => {
    jest.useFakeTimers();
    try {
      const board = new FaultBoard();
      board.arm('memory_leak');
      board.arm('memory_leak'); // armed twice: still one timer
      jest.advanceTimersByTime(MEMORY_LEAK_BACKGROUND_INTERVAL_MS * 8);
      expect(board.leak.size).toBe(8);
      board.clear();
      jest.advanceTimersByTime(MEMORY_LEAK_BACKGROUND_INTERVAL_MS * 8);
      expect(board.leak.size).toBe(0);
      board.arm('memory_leak');
      board.dispose(); // the service stops: no more growth
      jest.advanceTimersByTime(MEMORY_LEAK_BACKGROUND_INTERVAL_MS * 8);
      expect(board.leak.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('knows its fault names', () => {
    expect(isFaultName('memory_leak')).toBe(true);
    expect(isFaultName('cpu_spike')).toBe(false);
  });
});
