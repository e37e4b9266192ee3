import { join } from 'node:path';
import { type ConfigFixture } from '@opscrew/config/testing';
import { type AgentName } from '@opscrew/contracts';
import { type NatsConnectionService } from '@opscrew/messaging';
import {
  openTestBus,
  removeTestTopology,
  TcpProxy,
  testNamespace,
} from '@opscrew/messaging/testing';
import {
  assertBuilt,
  CrewProcess,
  crewConfig,
  freePort,
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
  const namespace = testNamespace();
  const proxy = new TcpProxy(new URL(NATS_URL).hostname, Number(new URL(NATS_URL).port || 4222));
  let agent: CrewProcess;
  let fixture: ConfigFixture;
  let bus: NatsConnectionService;
  let healthUrl: string;

  beforeAll(async () => {
    assertBuilt();
    const proxyPort = await proxy.start();
    const ports = {
      atlas: await freePort(),
      'ops-monitor': await freePort(),
      'jira-resolver': await freePort(),
      'demo-controller': await freePort(),
    } satisfies Record<AgentName, number>;
    healthUrl = `http://127.0.0.1:${ports['demo-controller']}/health`;
    fixture = crewConfig({ namespace, ports });
    ({ bus } = await openTestBus(NATS_URL, namespace, 'e2e-health'));
    agent = new CrewProcess(
      'demo-controller',
      ['start', 'demo-controller', '--config', fixture.dir],
      join(fixture.projectDir, 'demo-controller.log'),
      {
        NATS_URL: `nats://127.0.0.1:${proxyPort}`,
      },
    );
  });

  afterAll(async () => {
    await agent?.stop();
    await proxy.stop();
    if (bus) {
      await removeTestTopology(bus);
      await bus.close();
    }
    fixture?.remove();
  });

  it('is 200 while connected, 503 with the reason while NATS is unreachable, 200 again after', async () => {
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
