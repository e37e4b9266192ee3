import { type Server } from 'node:http';
import { type INestApplication } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { LOADED_CONFIG, loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { RecordingPublisher } from '@opscrew/testing';
import request from 'supertest';
import { AgentIdentity } from '../agent-identity';
import { ReportScheduler } from './report.scheduler';
import { ReportsController } from './reports.controller';

describe('REST: /reports', () => {
  const TOKEN = 'reports-spec-api-token';
  const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  loaded.config.http.api_token = TOKEN;
  const publisher = new RecordingPublisher('jira-resolver');
  const scheduler = new ReportScheduler(
    loaded,
    new AgentIdentity('jira-resolver', '0.0.0'),
    new SchedulerRegistry(),
    publisher.asEventPublisher(),
    [
      {
        name: 'jira-resolver-daily',
        build: () => Promise.resolve({ title: 'jira-resolver daily', text: '0 ticket(s) worked.' }),
      },
    ],
  );
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ReportsController],
      providers: [
        { provide: ReportScheduler, useValue: scheduler },
        { provide: LOADED_CONFIG, useValue: loaded },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    server = app.getHttpServer() as Server;
  });
  afterAll(() => app.close());

  it('lists this agent reports with zone and next run', async () => {
    const response = await request(server).get('/reports').expect(200);
    expect(response.body).toMatchObject({
      producers: ['jira-resolver-daily'],
      reports: [{ name: 'jira-resolver-daily', timezone: 'Asia/Seoul', cron: '0 30 9 * * *' }],
    });
  });

  it('sends one now with the token, and only with it', async () => {
    await request(server).post('/reports/jira-resolver-daily').expect(401);
    const response = await request(server)
      .post('/reports/jira-resolver-daily')
      .set('authorization', `Bearer ${TOKEN}`)
      .expect(200);
    expect(response.body).toMatchObject({ name: 'jira-resolver-daily', sent: true });
    expect(publisher.of('report.jira-resolver-daily')).toHaveLength(1);
  });

  it('answers 404 naming the reports it has for any other name', async () => {
    const response = await request(server)
      .post('/reports/ops-monitor-daily')
      .set('authorization', `Bearer ${TOKEN}`)
      .expect(404);
    expect((response.body as { message: string }).message).toBe(
      'no report "ops-monitor-daily" here (this agent sends: jira-resolver-daily)',
    );
  });
});
