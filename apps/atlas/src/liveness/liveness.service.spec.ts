import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type LoadedConfig } from '@opscrew/config';
import { HeartbeatRecord } from '@opscrew/contracts';
import { type BusOutage, type EventPublisher, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingOutbox, RecordingPublisher } from '@opscrew/testing';
import { type ReportWriter } from '../reports/report-writer.service';
import { LivenessService } from './liveness.service';

const MAX_AGE_S = 120;

function setup() {
  const heartbeats = new TypedKv(new FakeKv('heartbeats').asKv(), 'heartbeats', {
    class: HeartbeatRecord,
  });
  const settings = { enabled: true, max_age_s: MAX_AGE_S };
  const loaded = {
    config: { agents: new Map([['ops-monitor', settings]]) },
  } as unknown as LoadedConfig;
  const publisher = new RecordingPublisher('atlas');
  const reports: string[] = [];
  const writer = {
    write: (line: { title: string }) => {
      reports.push(line.title);
      return Promise.resolve();
    },
  } as unknown as ReportWriter;
  let outage: BusOutage | null = null;
  const outbox = new RecordingOutbox();
  const service = new LivenessService(
    heartbeats,
    loaded,
    publisher as unknown as EventPublisher,
    writer,
    new SchedulerRegistry(),
    { lastOutage: () => outage },
    outbox,
  );
  /** ops-monitor's last heartbeat, `ageS` seconds ago. */
  const beat = async (ageS: number): Promise<string> => {
    const at = new Date(Date.now() - ageS * 1000).toISOString();
    await heartbeats.put('ops-monitor', {
      agent: 'ops-monitor',
      version: '0.1.0',
      pid: 42,
      at,
      started_at: '2026-11-24T09:00:00.000Z',
      uptime_s: 60,
      status: 'ok',
    });
    return at;
  };
  const setOutage = (value: BusOutage): void => {
    outage = value;
  };
  return { service, outbox, publisher, reports, beat, setOutage };
}

describe('LivenessService', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('a stale agent: agent.stale, a report line and one notification per episode', async () => {
    const { service, outbox, publisher, reports, beat } = setup();
    const at = await beat(MAX_AGE_S + 30);
    await service.check();
    await service.check();
    expect(publisher.events.map((event) => event.subject)).toEqual(['agent.stale']);
    expect(reports).toEqual(['ops-monitor is stale']);
    expect(outbox.notifications().map((command) => command.notification)).toEqual([
      expect.objectContaining({
        idempotency_key: `agent-stale:ops-monitor:${at}`,
        kind: 'escalation',
        title: 'ops-monitor is stale',
      }),
    ]);
  });

  it('and one notification when the agent is back', async () => {
    const { service, outbox, reports, beat } = setup();
    const at = await beat(MAX_AGE_S + 30);
    await service.check();
    await beat(0);
    await service.check();
    expect(reports).toEqual(['ops-monitor is stale', 'ops-monitor recovered']);
    expect(outbox.created).toEqual([
      `agent-stale:ops-monitor:${at}`,
      `agent-back:ops-monitor:${at}`,
    ]);
  });

  it('a failed enqueue is retried next pass without a second agent.stale', async () => {
    const { service, outbox, publisher, beat } = setup();
    await beat(MAX_AGE_S + 30);
    outbox.failures.push(new Error('bus down'));
    await service.check();
    await service.check();
    expect(outbox.notifications()).toHaveLength(1);
    expect(publisher.events).toHaveLength(1);
  });

  it('after its own bus outage, atlas judges an agent fresh at the drop from the reconnect', async () => {
    const { service, outbox, publisher, beat, setOutage } = setup();
    // The last beat 125 s ago; the link dropped 20 s later and came back 13 s after that.
    await beat(125);
    setOutage({
      down: new Date(Date.now() - 105_000),
      back: new Date(Date.now() - 92_000),
    });
    await service.check();
    expect(publisher.events).toEqual([]);
    expect(outbox.calls).toEqual([]);
    expect((await service.snapshot())[0]).toMatchObject({ state: 'alive' });
  });
});
