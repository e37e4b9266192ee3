import { TcpProxy } from '@opscrew/messaging/testing';
import {
  type CrewProcess,
  CrewTestEnvironment,
  getJson,
  NATS_URL,
  waitFor,
} from './support/crew-harness';

interface Health {
  status: string;
  nats: string;
  reason?: string;
}

/**
 * /health follows the bus: the agent reaches NATS through a loopback proxy
 * that the test cuts (as a NATS restart or a network partition would).
 */
describe('/health when NATS goes away and comes back (e2e)', () => {
  const target = new URL(NATS_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 4222));
  let env: CrewTestEnvironment;
  let agent: CrewProcess;
  let healthUrl: string;

  beforeAll(async () => {
    const proxyPort = await proxy.start();
    env = await CrewTestEnvironment.create('e2e-health');
    healthUrl = env.url('demo-controller', '/health');
    agent = env.spawn('demo-controller', ['start', 'demo-controller'], {
      NATS_URL: `nats://127.0.0.1:${proxyPort}`,
    });
  });

  afterAll(async () => {
    await env?.dispose();
    await proxy.stop();
  });

  it('is 200 while connected, 503 with the reason while NATS is unreachable, 200 again after; /health/live stays 200 throughout', async () => {
    const liveUrl = env.url('demo-controller', '/health/live');
    await waitFor('200', async () => (await getJson<Health>(healthUrl)).status === 200, 30_000);

    proxy.cut(true);
    const down = await waitFor('503', async () => {
      const response = await getJson<Health>(healthUrl);
      return response.status === 503 ? response.body : undefined;
    });
    expect(down).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/^NATS is (reconnecting|disconnected)$/),
    });
    expect(down.nats).not.toBe('connected');
    // Liveness is the process, not the bus: a probe on it never restarts an agent for an outage.
    const live = await getJson<{ status: string; agent: string }>(liveUrl);
    expect(live).toMatchObject({ status: 200, body: { status: 'ok', agent: 'demo-controller' } });

    proxy.accept();
    const up = await waitFor(
      '200 again',
      async () => {
        const response = await getJson<Health>(healthUrl);
        return response.status === 200 ? response.body : undefined;
      },
      30_000,
    );
    expect(up).toMatchObject({ status: 'ok', nats: 'connected' });
    expect(agent.running).toBe(true);
  });
});
