import { createServer, type Server } from 'node:net';
import { freePort } from './free-port.allocator';
import { assertPortsFree, busyPorts, isPortFree } from './port-availability.check';
import { type PortClaim } from './port-claim';
import { PortInUseError } from './port-in-use.error';

/** A listener we hold open on a free loopback port, as "something else" would. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

const claim = (port: number, owner: string): PortClaim => ({
  port,
  host: '127.0.0.1',
  owner,
  moveWith: 'use --agent-ports BASE',
});

describe('port availability', () => {
  let held: { server: Server; port: number };
  beforeEach(async () => {
    held = await holdPort();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => held.server.close(() => resolve()));
  });

  it('sees a port someone listens on as busy and a free one as free', async () => {
    expect(await isPortFree(held.port)).toBe(false);
    expect(await isPortFree(await freePort())).toBe(true);
  });

  it('names the busy port, what wanted it, where, and what moves it', async () => {
    const free = await freePort();
    const claims = [claim(free, 'atlas'), claim(held.port, 'ops-monitor')];
    expect(await busyPorts(claims)).toEqual([claims[1]]);
    const error = await assertPortsFree(claims).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).lines).toEqual([
      `port ${held.port} (ops-monitor) on 127.0.0.1 is already in use — use --agent-ports BASE`,
    ]);
    expect((error as PortInUseError).busy).toEqual([claims[1]]);
  });

  it('passes when every port is free, and leaves them free', async () => {
    const claims = [claim(await freePort(), 'atlas'), claim(await freePort(), 'jira-resolver')];
    await expect(assertPortsFree(claims)).resolves.toBeUndefined();
    for (const { port } of claims) expect(await isPortFree(port)).toBe(true);
  });
});
