import { createServer } from 'node:net';
import { freePort, freePorts } from './free-port.allocator';

/** Listens on `port` once and closes again: proves nothing held it. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('free ports from the kernel', () => {
  it('gives distinct ports that can be listened on once it resolves', async () => {
    const ports = await freePorts(15);
    expect(ports).toHaveLength(15);
    expect(new Set(ports).size).toBe(15);
    for (const port of ports) {
      expect(port).toBeGreaterThan(0);
      expect(await canListen(port)).toBe(true);
    }
  });

  it('gives one port, and none for a count of 0', async () => {
    expect(await canListen(await freePort())).toBe(true);
    expect(await freePorts(0)).toEqual([]);
  });

  it('refuses a count that is not a whole number', async () => {
    await expect(freePorts(-1)).rejects.toThrow('count must be a whole number ≥ 0, got -1');
  });

  it('never gives a port it was told to avoid (ports promised to what has not bound them yet)', async () => {
    const promised: number[] = [];
    for (let round = 0; round < 5; round++) {
      const ports = await freePorts(20, '127.0.0.1', promised);
      expect(ports.filter((port) => promised.includes(port))).toEqual([]);
      expect(new Set(ports).size).toBe(20);
      promised.push(...ports);
    }
  });
});
