import { createServer } from 'node:net';
import { type PortClaim } from './port-claim';
import { PortInUseError } from './port-in-use.error';

/**
 * Whether `port` can be listened on at `host` right now: it tries exactly
 * that (listen, then close), so it sees what the real listener would — a
 * socket on the same address, on the wildcard address, or one of another
 * user. Any failure other than success counts as busy (EACCES for a
 * privileged port means "not for us" just as well).
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The claims whose port is taken, in the order given. Probed one after another. */
export async function busyPorts(claims: readonly PortClaim[]): Promise<PortClaim[]> {
  const busy: PortClaim[] = [];
  for (const claim of claims) if (!(await isPortFree(claim.port, claim.host))) busy.push(claim);
  return busy;
}

/**
 * Throws PortInUseError naming every busy port, what wanted it and what
 * moves it. Meant to run before anything starts, so that a busy port never
 * leaves half a system running.
 */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  const busy = await busyPorts(claims);
  if (busy.length > 0) throw new PortInUseError(busy);
}
