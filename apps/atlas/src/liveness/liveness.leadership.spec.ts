import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AgentIdentity, LeadershipService } from '@opscrew/agent-core';
import { loadConfig, type LoadedConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { HeartbeatRecord, LeaderRecord } from '@opscrew/contracts';
import { type EventPublisher, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingOutbox, RecordingPublisher } from '@opscrew/testing';
import { type ReportWriter } from '../reports/report-writer.service';
import { LivenessService } from './liveness.service';

/**
 * Two atlas replicas on one bus: only the leader of `leaders/atlas` announces a stale agent;
 * when it stops, the other one does.
 */
describe('LivenessService with replicas', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('announces on the leader only, and on the successor after a clean stop', async () => {
    const shipped = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    const heartbeats = new TypedKv(new FakeKv('heartbeats').asKv(), 'heartbeats', {
      class: HeartbeatRecord,
    });
    const leaders = new TypedKv(new FakeKv('leaders').asKv(), 'leaders', { class: LeaderRecord });
    const loaded = {
      config: {
        bus: shipped.config.bus,
        agents: new Map<string, object>([['ops-monitor', { enabled: true, max_age_s: 60 }]]),
      },
    } as unknown as LoadedConfig;
    const publisher = new RecordingPublisher('atlas');
    const writer = { write: () => Promise.resolve() } as unknown as ReportWriter;
    const replica = (name: string) => {
      const registry = new SchedulerRegistry();
      const outbox = new RecordingOutbox();
      const leadership = new LeadershipService(
        leaders,
        shipped,
        new AgentIdentity('atlas', '0.0.0', name),
        registry,
      );
      const service = new LivenessService(
        { read: () => heartbeats.values() },
        loaded,
        publisher as unknown as EventPublisher,
        writer,
        registry,
        { lastOutage: () => null },
        outbox,
        null,
        leadership,
      );
      return { leadership, service, outbox };
    };
    const a = replica('atlas-0');
    const b = replica('atlas-1');
    await a.leadership.lease.tick();
    await b.leadership.lease.tick();
    await heartbeats.put('ops-monitor.ops-monitor-0', {
      agent: 'ops-monitor',
      replica: 'ops-monitor-0',
      version: '0.1.0',
      pid: 42,
      at: new Date(Date.now() - 600_000).toISOString(),
      started_at: '2026-11-24T09:00:00.000Z',
      uptime_s: 60,
      status: 'ok',
    });
    await b.service.check();
    expect(publisher.events).toEqual([]);
    expect(b.outbox.created).toEqual([]);
    await a.service.check();
    expect(publisher.events.map((event) => event.subject)).toEqual(['agent.stale']);
    expect(a.outbox.created).toHaveLength(1);

    // a stops cleanly; b leads from its next tick and announces from its own (empty) state —
    // with the same event id (JetStream drops the repeat) and the same notification key (the
    // outbox keeps one).
    await a.leadership.beforeApplicationShutdown();
    await b.leadership.lease.tick();
    expect(b.leadership.isLeader()).toBe(true);
    await a.service.check();
    await b.service.check();
    expect(a.outbox.created).toHaveLength(1);
    expect(b.outbox.created).toEqual(a.outbox.created);
    expect(publisher.events).toHaveLength(1);
  });
});
