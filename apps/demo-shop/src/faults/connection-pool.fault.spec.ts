import { errorMessage } from '@opscrew/contracts';
import { LeakyConnectionPool, PoolTimeoutError } from './connection-pool.fault';

describe('LeakyConnectionPool', () => {
  it('leaks one lease in two until the pool is empty, then times out waiters', async () => {
    const pool = new LeakyConnectionPool(4, 2, 20);
    for (let i = 0; i < 8; i++) (await pool.acquire()).release();
    expect(pool.state()).toEqual({ size: 4, in_use: 4, leaked: 4, waiting: 0 });
    expect(pool.exhausted).toBe(true);
    const error = await pool.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(errorMessage(error)).toBe(
      'Timeout acquiring connection: pool exhausted (4/4 connections in use, 4 never returned, waited 20 ms)',
    );
    expect(pool.state().waiting).toBe(0);
  });

  it('hands a returned connection to the next waiter', async () => {
    const pool = new LeakyConnectionPool(1, 1_000, 1_000);
    const first = await pool.acquire();
    const second = pool.acquire();
    expect(pool.state().waiting).toBe(1);
    first.release();
    const lease = await second;
    expect(pool.state()).toMatchObject({ in_use: 1, waiting: 0 });
    lease.release();
    expect(pool.state().in_use).toBe(0);
  });

  it('reset() gives every connection back and voids old leases', async () => {
    const pool = new LeakyConnectionPool(2, 1, 1_000);
    const held = await pool.acquire();
    (await pool.acquire()).release(); // leaked (every release leaks)
    const waiting = pool.acquire();
    pool.reset();
    const granted = await waiting;
    expect(pool.state()).toEqual({ size: 2, in_use: 1, leaked: 0, waiting: 0 });
    held.release(); // from before the reset: must not free the waiter's connection
    expect(pool.state().in_use).toBe(1);
    granted.release();
  });

  it('releasing a lease twice counts once', async () => {
    const pool = new LeakyConnectionPool(2, 1_000, 1_000);
    const lease = await pool.acquire();
    lease.release();
    lease.release();
    expect(pool.state().in_use).toBe(0);
  });
});
