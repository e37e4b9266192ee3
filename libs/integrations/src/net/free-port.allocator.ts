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
 *
 * `avoid`: ports already promised to something that does not listen yet (a plan picked
 * earlier): the kernel may hand a just-released port out again, so such a port is held with
 * the others and another one taken instead.
 */
export async function freePorts(
  count: number,
  host = '127.0.0.1',
  avoid: Iterable<number> = [],
): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`freePorts: count must be a whole number ≥ 0, got ${count}`);
  const avoided = new Set(avoid);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    // While its listener is held, each avoided port can come back at most once.
    for (let tries = 0; ports.length < count && tries < count + avoided.size; tries++) {
      const server = createServer();
      servers.push(server);
      const port = await listenOnAnyPort(server, host);
      if (!avoided.has(port)) ports.push(port);
    }
    if (ports.length < count) {
      throw new Error(`freePorts: the kernel gave ${ports.length} of ${count} ports on ${host}`);
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
