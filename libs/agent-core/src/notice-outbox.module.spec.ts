import { Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { kvOutboxBucket, OUTBOX_BUCKET, OutboxService } from '@opscrew/guardrails';
import { NatsConnectionService } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { NOTIFIER, type NotifierPort, TRACKER, type TrackerPort } from '@opscrew/ports';
import { AGENT_NOTICES, type AgentNotices } from './agent-notices';
import { NoticeOutboxModule } from './notice-outbox.module';

/** Only the slices the outbox reads. */
const loaded = {
  config: {
    thresholds: {
      guardrails: { rate_limits: { jira_issues_per_hour: 7, discord_messages_per_minute: 3 } },
    },
  },
} as unknown as LoadedConfig;

/** What an agent's app gets from AgentCoreModule: the config and the bus, globally. */
@Global()
@Module({
  providers: [
    { provide: LOADED_CONFIG, useValue: loaded },
    // Never used: the bucket is overridden with a fake one.
    { provide: NatsConnectionService, useValue: {} },
  ],
  exports: [LOADED_CONFIG, NatsConnectionService],
})
class FakeAgentCore {}

describe('NoticeOutboxModule.enqueueOnly', () => {
  let app: TestingModule;

  beforeEach(async () => {
    app = await Test.createTestingModule({
      imports: [FakeAgentCore, ScheduleModule.forRoot(), NoticeOutboxModule.enqueueOnly('atlas')],
    })
      .overrideProvider(OUTBOX_BUCKET)
      .useValue(kvOutboxBucket(new FakeKv('outbox').asKv()))
      .compile();
  });
  afterEach(() => app.close());

  it('gives AGENT_NOTICES as the outbox: enqueue stores once per key', async () => {
    const notices = app.get<AgentNotices>(AGENT_NOTICES);
    expect(notices).toBe(app.get(OutboxService, { strict: false }));
    const command = {
      kind: 'notify' as const,
      notification: {
        idempotency_key: 'agent-stale:ops-monitor:2026-11-24T10:00:00.000Z',
        kind: 'escalation' as const,
        severity: 'high' as const,
        title: 'ops-monitor is stale',
        text: 'no heartbeat',
        fields: [],
      },
    };
    expect(await notices.enqueue(command)).toMatchObject({ created: true });
    expect(await notices.enqueue(command)).toMatchObject({ created: false });
  });

  it('never delivers itself: its ports refuse (the crew’s running workers deliver)', async () => {
    const tracker = app.get<TrackerPort>(TRACKER, { strict: false });
    const notifier = app.get<NotifierPort>(NOTIFIER, { strict: false });
    await expect(tracker.get('OPS-1')).rejects.toThrow(/atlas only enqueues/);
    await expect(
      notifier.send({
        idempotency_key: 'k',
        kind: 'report',
        severity: 'info',
        title: 't',
        text: 't',
        fields: [],
      }),
    ).rejects.toThrow(/atlas only enqueues/);
  });
});
