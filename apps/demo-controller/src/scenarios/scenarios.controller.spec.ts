import { type Server } from 'node:http';
import { type ExecutionContext, type INestApplication, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LOADED_CONFIG } from '@opscrew/config';
import request from 'supertest';
import { RecordingPublisher } from '@opscrew/testing';
import { LearningService } from '../learning/learning.service';
import { ScorecardController } from '../learning/scorecard.controller';
import {
  FakeFlags,
  fakeLeases,
  fakeLearningBuckets,
  FakeLoadDriver,
  shippedConfig,
} from '../testing/fakes';
import { ManualScheduler } from '@opscrew/integrations/testing';
import { LoopbackOnlyGuard } from './loopback-only.guard';
import { ScenarioCatalog } from './scenario.catalog';
import { ScenarioRunner } from './scenario.runner';
import { ScenariosController } from './scenarios.controller';
import { ShopFaultClient } from './shop-fault.client';

describe('REST: /scenarios and /scorecard', () => {
  let app: INestApplication;
  let server: Server;
  const loaded = shippedConfig();
  const config = loaded.config;
  /** The shipped config has no token (mutating endpoints off); an overlay would set this. */
  const API_TOKEN = 'scenarios-spec-api-token';
  config.http.api_token = API_TOKEN;
  const auth = `Bearer ${API_TOKEN}`;
  const clock = new ManualScheduler();
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const learning = new LearningService(
    fakeLearningBuckets().buckets,
    {
      settle_ms: 300_000,
      min_samples: 10,
      adjustment_suggestion: false,
      suggestions_file: '/nonexistent/suggestions.json',
      thresholds: { alerting: config.thresholds.alerting },
      own_holder_prefix: 'demo-controller-test',
    },
    clock,
    logger,
  );
  const load = new FakeLoadDriver();
  const runner = new ScenarioRunner(
    new ScenarioCatalog(config),
    load,
    new FakeFlags(),
    new ShopFaultClient('t'),
    fakeLeases(clock).leases,
    new RecordingPublisher('demo-controller', clock),
    learning,
    'demo-controller-test',
    { lock: { lease_ms: 60_000, max_hold_ms: 1_800_000 }, alerting: config.thresholds.alerting },
    clock,
    logger,
  );

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ScenariosController, ScorecardController],
      providers: [
        { provide: ScenarioRunner, useValue: runner },
        { provide: LearningService, useValue: learning },
        { provide: LOADED_CONFIG, useValue: loaded },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    // As runAgent does for every agent.
    app.useGlobalPipes(
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
    await app.init();
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await runner.abort();
    await app.close();
  });

  it('lists the scenarios and what runs', async () => {
    const response = await request(server).get('/scenarios').expect(200);
    const body = response.body as { running: unknown; scenarios: { name: string }[] };
    expect(body.running).toBeNull();
    expect(body.scenarios).toHaveLength(12); // the seed's nine and three restart-curable faults
  });

  it('validates the body: a scale in (0, 1], nothing else', async () => {
    for (const body of [
      { duration_scale: 2 },
      { duration_scale: 0 },
      { duration_scale: 'fast' },
      { users: 5000 },
    ])
      await request(server)
        .post('/scenarios/normal/run')
        .set('Authorization', auth)
        .send(body)
        .expect(400);
    await request(server)
      .post('/scenarios/NOPE!/run')
      .set('Authorization', auth)
      .send({})
      .expect(404);
    const unknown = await request(server)
      .post('/scenarios/strss/run')
      .set('Authorization', auth)
      .send({})
      .expect(404);
    expect((unknown.body as { message: string }).message).toMatch(/^unknown scenario "strss"/);
    const refused = await request(server)
      .post('/scenarios/recovery/run')
      .set('Authorization', auth)
      .send({})
      .expect(409);
    expect((refused.body as { message: string }).message).toMatch(/needs a completed "stress" run/);
  });

  it('starts a scenario (202), refuses a second (409), aborts; a down load driver is a 502', async () => {
    const started = await request(server)
      .post('/scenarios/high/run')
      .set('Authorization', auth)
      .send({ duration_scale: 0.1 })
      .expect(202);
    expect(started.body).toMatchObject({
      scenario: 'high',
      run_id: expect.stringMatching(/^high-\d{8}T\d{6}-[0-9a-f]{4}$/),
    });
    await request(server)
      .post('/scenarios/normal/run')
      .set('Authorization', auth)
      .send({})
      .expect(409);
    const listed = await request(server).get('/scenarios').expect(200);
    expect((listed.body as { running: { scenario: string } }).running.scenario).toBe('high');
    const aborted = await request(server)
      .post('/scenarios/abort')
      .set('Authorization', auth)
      .expect(200);
    expect(aborted.body).toEqual({ aborted: (started.body as { run_id: string }).run_id });

    load.failStart = new Error('locust: not reachable at http://127.0.0.1:8089');
    const failed = await request(server)
      .post('/scenarios/normal/run')
      .set('Authorization', auth)
      .send({})
      .expect(502);
    expect((failed.body as { message: string }).message).toMatch(/failed: locust: not reachable/);
    load.failStart = null;
  });

  it('requires the bearer token on both POSTs: 401 without it or with a wrong one, nothing started', async () => {
    const missing = await request(server).post('/scenarios/high/run').send({}).expect(401);
    expect((missing.body as { message: string }).message).toMatch(
      /^POST \/scenarios\/high\/run: missing "Authorization: Bearer <token>" header/,
    );
    await request(server)
      .post('/scenarios/high/run')
      .set('Authorization', 'Bearer wrong-token-wrong-token')
      .send({})
      .expect(401);
    await request(server).post('/scenarios/abort').expect(401);
    await request(server).post('/scenarios/abort').set('Authorization', `${auth}x`).expect(401);
    const listed = await request(server).get('/scenarios').expect(200);
    expect((listed.body as { running: unknown }).running).toBeNull();
  });

  it('serves the scorecard', async () => {
    const response = await request(server).get('/scorecard').expect(200);
    expect(response.body).toMatchObject({
      aggregate: { runs: 0, accuracy_ratio: null },
      recent: [],
      suggestions: { ready: false, min_samples: 10 },
    });
  });

  it('refuses callers off this machine', () => {
    const guard = new LoopbackOnlyGuard();
    const context = (address: string): ExecutionContext =>
      ({
        switchToHttp: () => ({ getRequest: () => ({ socket: { remoteAddress: address } }) }),
      }) as unknown as ExecutionContext;
    expect(guard.canActivate(context('127.0.0.1'))).toBe(true);
    expect(guard.canActivate(context('::ffff:127.0.0.1'))).toBe(true);
    expect(() => guard.canActivate(context('192.168.1.20'))).toThrow(
      'scenarios can only be run from this machine (caller 192.168.1.20)',
    );
  });
});
