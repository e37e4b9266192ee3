import { SchedulerRegistry } from '@nestjs/schedule';
import { loadConfig } from '@opscrew/config';
import { ConfigFixture, SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { LeaderRecord } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingPublisher } from '@opscrew/testing';
import { AgentIdentity } from '../agent-identity';
import { LeadershipService } from '../leadership.service';
import { type ReportContent, type ReportProducer } from './report-producer';
import { ReportScheduler } from './report.scheduler';
import { UnknownReportError } from './unknown-report.error';

class FixedReport implements ReportProducer {
  readonly publishedAt: Date[] = [];
  constructor(
    readonly name: string,
    private content: ReportContent | null,
  ) {}
  build(): Promise<ReportContent | null> {
    return Promise.resolve(this.content);
  }
  set(content: ReportContent | null): void {
    this.content = content;
  }
  published(now: Date): void {
    this.publishedAt.push(now);
  }
}

function schedulerFor(
  producers: ReportProducer[],
  publisher = new RecordingPublisher('ops-monitor'),
) {
  const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  const registry = new SchedulerRegistry();
  const scheduler = new ReportScheduler(
    loaded,
    new AgentIdentity('ops-monitor', '0.0.0'),
    registry,
    publisher.asEventPublisher(),
    producers,
  );
  return { scheduler, registry, publisher };
}

describe('ReportScheduler', () => {
  const NOW = new Date('2026-12-07T00:00:12.345Z');

  it('registers each enabled schedule of its agent as a cron job in the configured zone', () => {
    const { scheduler, registry } = schedulerFor([
      new FixedReport('ops-monitor-daily', { title: 't', text: 'x' }),
    ]);
    scheduler.onApplicationBootstrap();
    const job = registry.getCronJob('ops-monitor-daily');
    // 09:00 Asia/Seoul (crew.timezone) is 00:00 UTC.
    expect(job.nextDate().toUTC().toISO()).toMatch(/T00:00:00\.000Z$/);
    expect(scheduler.list(NOW)).toEqual([
      expect.objectContaining({
        name: 'ops-monitor-daily',
        agent: 'ops-monitor',
        timezone: 'Asia/Seoul',
        next_run: '2026-12-08T00:00:00.000Z',
      }),
    ]);
    scheduler.onApplicationShutdown();
    expect(registry.doesExist('cron', 'ops-monitor-daily')).toBe(false);
  });

  it('publishes report.<name> with a per-tick id: the same minute twice is one event', async () => {
    const { scheduler, publisher } = schedulerFor([
      new FixedReport('ops-monitor-daily', {
        title: 'Daily',
        text: 'all quiet',
        fields: { opened: 0 },
      }),
    ]);
    expect(await scheduler.tick('ops-monitor-daily', NOW)).toMatchObject({ sent: true });
    await scheduler.tick('ops-monitor-daily', new Date(NOW.getTime() + 30_000));
    const events = publisher.of('report.ops-monitor-daily');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: 'report.ops-monitor-daily.2026-12-07T00:00:00.000Z',
      kind: 'ops-monitor-daily',
      title: 'Daily',
      text: 'all quiet',
      fields: { opened: 0 },
      source: 'ops-monitor',
    });
  });

  it('publishes nothing when the producer has nothing to say, and tells it after a publish only', async () => {
    const producer = new FixedReport('ops-monitor-daily', null);
    const { scheduler, publisher } = schedulerFor([producer]);
    expect(await scheduler.send('ops-monitor-daily', NOW)).toEqual({
      name: 'ops-monitor-daily',
      sent: false,
    });
    expect(publisher.events).toHaveLength(0);
    expect(producer.publishedAt).toEqual([]);
    producer.set({ title: 't', text: 'x' });
    const sent = await scheduler.send('ops-monitor-daily', NOW);
    expect(sent).toMatchObject({
      sent: true,
      event_id: `report.ops-monitor-daily.now.${NOW.toISOString()}`,
    });
    expect(producer.publishedAt).toEqual([NOW]);
  });

  it('cuts a text longer than the event allows, keeping the start', async () => {
    const { scheduler, publisher } = schedulerFor([
      new FixedReport('ops-monitor-daily', { title: 't', text: 'y'.repeat(5000) }),
    ]);
    await scheduler.send('ops-monitor-daily', NOW);
    const [event] = publisher.of('report.ops-monitor-daily');
    expect(event?.text).toHaveLength(4000);
    expect(event?.text.endsWith('…')).toBe(true);
  });

  it('refuses an unknown name listing the known ones; a tick that fails is logged, not thrown', async () => {
    const publisher = new RecordingPublisher('ops-monitor');
    const { scheduler } = schedulerFor(
      [new FixedReport('ops-monitor-daily', { title: 't', text: 'x' })],
      publisher,
    );
    await expect(scheduler.send('nope', NOW)).rejects.toThrow(
      new UnknownReportError('nope', ['ops-monitor-daily']),
    );
    await expect(scheduler.send('nope', NOW)).rejects.toThrow(
      'no report "nope" here (this agent sends: ops-monitor-daily)',
    );
    publisher.failNext = 1;
    expect(await scheduler.tick('ops-monitor-daily', NOW)).toBeNull();
    publisher.failNext = 1;
    await expect(scheduler.send('ops-monitor-daily', NOW)).rejects.toThrow('NATS unavailable');
  });
});

describe('ReportScheduler with replicas', () => {
  const NOW = new Date('2026-12-07T00:00:12.345Z');
  it('ticks only on the leader of its agent; a manual send works on any replica', async () => {
    const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    const leaders = new TypedKv(new FakeKv('leaders').asKv(), 'leaders', { class: LeaderRecord });
    const publisher = new RecordingPublisher('ops-monitor');
    const replica = (name: string) => {
      const identity = new AgentIdentity('ops-monitor', '0.0.0', name);
      const registry = new SchedulerRegistry();
      const leadership = new LeadershipService(leaders, loaded, identity, registry);
      const scheduler = new ReportScheduler(
        loaded,
        identity,
        registry,
        publisher.asEventPublisher(),
        [new FixedReport('ops-monitor-daily', { title: 't', text: name })],
        leadership,
      );
      return { leadership, scheduler };
    };
    const a = replica('ops-monitor-0');
    const b = replica('ops-monitor-1');
    await a.leadership.lease.tick();
    await b.leadership.lease.tick();
    expect([a.leadership.role, b.leadership.role]).toEqual(['leader', 'standby']);
    expect(await b.scheduler.tick('ops-monitor-daily', NOW)).toBeNull();
    expect(await a.scheduler.tick('ops-monitor-daily', NOW)).toMatchObject({ sent: true });
    expect(publisher.of('report.ops-monitor-daily').map((e) => e.text)).toEqual(['ops-monitor-0']);
    await b.scheduler.send('ops-monitor-daily', NOW);
    expect(publisher.of('report.ops-monitor-daily')).toHaveLength(2);
    // The leader stops cleanly: the standby leads on its next tick and sends the next report.
    await a.leadership.beforeApplicationShutdown();
    await b.leadership.lease.tick();
    const next = new Date(NOW.getTime() + 86_400_000);
    expect(await b.scheduler.tick('ops-monitor-daily', next)).toMatchObject({ sent: true });
    expect(await a.scheduler.tick('ops-monitor-daily', next)).toBeNull();
  });
});

describe('schedule time zones in the config', () => {
  it('refuses an unknown zone or an offset, naming the key and the file', () => {
    const fixture = ConfigFixture.shipped();
    try {
      fixture.patch('opscrew.json5', "timezone: 'Asia/Seoul'", "timezone: 'Mars/Olympus'");
      fixture.patch(
        'agents/ops-monitor.json5',
        "description: 'Daily monitoring summary',",
        "description: 'Daily monitoring summary', timezone: '+09:00',",
      );
      expect(() => loadConfig({ configDir: fixture.dir, env: {} })).toThrow(
        /crew\.timezone: unknown time zone "Mars\/Olympus"[\s\S]*schedules\.ops-monitor-daily\.timezone: unknown time zone "\+09:00"/,
      );
    } finally {
      fixture.remove();
    }
  });
});
