import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, type RuntimeEnvironment } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { JiraResolverModule } from './jira-resolver.module';
import { RemediationRunsRepository } from './remediation/remediation-runs.repository';
import { RemediationEngine } from './remediation/remediation.engine';
import { RemediationWorker } from './remediation/remediation.worker';
import { TicketGateway } from './tickets/ticket.gateway';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/**
 * The module's wiring as the app builds it (shipped config, real NATS JetStream in a test
 * namespace), without starting the app: every class resolves through Nest, one instance each.
 */
describe('jira-resolver module against NATS JetStream', () => {
  const namespace = testNamespace();
  let fixture: ConfigFixture;
  let app: INestApplication;
  let bus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    fixture = ConfigFixture.shippedWithOverlay({ bus: { namespace } });
    const env = { ...process.env, NATS_URL, OPSCREW_SHOP_TOKEN: 'it-token' };
    const loaded = loadConfig({ configDir: fixture.dir, env });
    const runtime: RuntimeEnvironment = { configDir: fixture.dir, logLevel: 'error', env };
    ({ bus } = await openTestBus(NATS_URL, namespace, 'crew-under-test'));
    app = await NestFactory.create(JiraResolverModule.forRoot(loaded, runtime), { logger: false });
  });

  afterAll(async () => {
    await app?.close();
    await removeTestTopology(bus);
    await bus.close();
    fixture?.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('resolves the worker and the engine over one runs repository and one ticket gateway', () => {
    const fields = (target: object): Record<string, unknown> =>
      target as unknown as Record<string, unknown>;
    const worker = app.get(RemediationWorker);
    expect(fields(worker)['runs']).toBe(app.get(RemediationRunsRepository));
    expect(fields(worker)['engine']).toBe(app.get(RemediationEngine));
    expect(fields(worker)['now']).toBe(Date.now);
    // The shipped mode is `act`: the gateway enqueues (OBSERVE_MODE false), through the outbox.
    expect(fields(app.get(TicketGateway))['observe']).toBe(false);
    expect(fields(app.get(TicketGateway))['outbox']).toBeDefined();
  });
});
