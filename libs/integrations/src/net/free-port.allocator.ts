import { createServer, type Server } from 'node:net';

/**
 * `count` distinct TCP ports on `host` that nothing listens on right now,
 * chosen by the kernel (listen on port 0), so two programs doing this at once
 * never pick the same ones the way a scan from a fixed base would.
 *
 * All `count` listeners are held open together before any is closed: the
 * kernel cannot hand out one port twice, which a loop of single probes could.
 * The ports are free when this resolves, not reserved: whoever asked should
 * bind them soon (and check them again just before: assertPortsFree).
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`freePorts: count must be a whole number ≥ 0, got ${count}`);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnAnyPort(server, host));
    }
    return ports;
  } finally {
    await Promise.all(servers.map(closeQuietly));
  }
}

/** One free TCP port on `host` (see freePorts). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error(`freePort: the kernel gave no port on ${host}`);
  return port;
}

function listenOnAnyPort(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot get a free port on ${host}: ${error.message}`)),
    );
    server.listen(0, host, () => {
      const address = server.address();
      if (typeof address === 'object' && address !== null) resolve(address.port);
      else reject(new Error(`cannot get a free port on ${host}: no address after listen`));
    });
  });
}

function closeQuietly(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}
