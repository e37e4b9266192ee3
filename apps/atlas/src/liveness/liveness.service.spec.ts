import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type LoadedConfig } from '@opscrew/config';
import { HeartbeatRecord } from '@opscrew/contracts';
import { type BusOutage, type EventPublisher, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingAudit, RecordingOutbox, RecordingPublisher } from '@opscrew/testing';
import { AgentRestarter } from '../lifecycle/agent-restarter.service';
import { type AgentRuntime, type RestartOutcome } from '../lifecycle/agent-runtime.port';
import { InMemoryRestartHistoryStore } from '../lifecycle/restart-history.store';
import { type ReportWriter } from '../reports/report-writer.service';
import { LivenessService } from './liveness.service';

const MAX_AGE_S = 120;

/** A runtime that restarts by handing out the next PID (or fails when told to). */
class FakeRuntime implements AgentRuntime {
  readonly kind = 'supervisor' as const;
  readonly restarted: string[] = [];
  failing = false;
  private pid = 100;

  restart(agent: string): Promise<RestartOutcome> {
    this.restarted.push(agent);
    if (this.failing) {
      return Promise.resolve({
        status: 'failed',
        runtime: this.kind,
        detail: 'supervisor answered 500',
      });
    }
    const old = this.pid;
    this.pid += 1;
    return Promise.resolve({
      status: 'restarted',
      runtime: this.kind,
      old_pid: old,
      new_pid: this.pid,
      detail: `pid ${old} → ${this.pid}`,
    });
  }
}

function setup(options: { restart?: boolean; history?: InMemoryRestartHistoryStore } = {}) {
  const heartbeats = new TypedKv(new FakeKv('heartbeats').asKv(), 'heartbeats', {
    class: HeartbeatRecord,
  });
  const settings = { enabled: true, max_age_s: MAX_AGE_S };
  const atlas = {
    enabled: true,
    max_age_s: MAX_AGE_S,
    liveness: {
      check_interval_s: 10,
      on_stale: 'notify_and_restart',
      runtime: { kind: 'supervisor' },
      restart_loop: { max_restarts: 2, window_minutes: 15 },
    },
  };
  const loaded = {
    config: {
      agents: new Map<string, object>([
        ['ops-monitor', settings],
        ...(options.restart ? [['atlas', atlas] as [string, object]] : []),
      ]),
    },
  } as unknown as LoadedConfig;
  const publisher = new RecordingPublisher('atlas');
  const runtime = new FakeRuntime();
  const history = options.history ?? new InMemoryRestartHistoryStore();
  const audit = new RecordingAudit();
  const restarter = options.restart
    ? new AgentRestarter(runtime, history, loaded, publisher as unknown as EventPublisher, audit)
    : null;
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
    { read: () => heartbeats.values() },
    loaded,
    publisher as unknown as EventPublisher,
    writer,
    new SchedulerRegistry(),
    { lastOutage: () => outage },
    outbox,
    restarter,
  );
  /** ops-monitor's last heartbeat (of `replica`), `ageS` seconds ago. */
  const beat = async (
    ageS: number,
    fixedAt?: string,
    replica = 'ops-monitor-0',
    startedAt = '2026-11-24T09:00:00.000Z',
  ): Promise<string> => {
    const at = fixedAt ?? new Date(Date.now() - ageS * 1000).toISOString();
    await heartbeats.put(`ops-monitor.${replica}`, {
      agent: 'ops-monitor',
      replica,
      version: '0.1.0',
      pid: 42,
      at,
      started_at: startedAt,
      uptime_s: 60,
      status: 'ok',
    });
    return at;
  };
  const setOutage = (value: BusOutage): void => {
    outage = value;
  };
  return { service, outbox, publisher, reports, beat, setOutage, runtime, history, audit };
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

  describe('replicas', () => {
    it('one stale replica while another beats: the agent stays alive, one low notice per episode', async () => {
      const { service, outbox, publisher, beat, runtime } = setup({ restart: true });
      await beat(0, undefined, 'ops-monitor-0');
      await beat(0, undefined, 'ops-monitor-1');
      await service.check();
      const lastBeat = await beat(MAX_AGE_S + 30, undefined, 'ops-monitor-1');
      await service.check();
      await service.check();
      expect(publisher.events.map((event) => event.subject)).toEqual([]);
      expect(runtime.restarted).toEqual([]);
      expect(outbox.notifications().map((command) => command.notification)).toEqual([
        expect.objectContaining({
          idempotency_key: `replica-stale:ops-monitor.ops-monitor-1:${lastBeat}`,
          severity: 'low',
          title: 'ops-monitor: replica ops-monitor-1 is stale',
        }),
      ]);
      expect((await service.snapshot()).find((e) => e.agent === 'ops-monitor')).toMatchObject({
        state: 'alive',
        replicas: [
          { replica: 'ops-monitor-0', stale: false },
          { replica: 'ops-monitor-1', stale: true },
        ],
      });
    });

    it('no notice for a replica another replaced (started after its last beat)', async () => {
      const { service, outbox, beat } = setup();
      await beat(0, undefined, 'ops-monitor-1');
      await service.check();
      await beat(MAX_AGE_S + 30, undefined, 'ops-monitor-1');
      await beat(0, undefined, 'ops-monitor-2', new Date().toISOString());
      await service.check();
      expect(outbox.notifications()).toEqual([]);
    });

    it('no notice for a replica already stale when atlas started (an earlier run)', async () => {
      const { service, outbox, beat } = setup();
      await beat(0, undefined, 'ops-monitor-0');
      await beat(MAX_AGE_S * 5, undefined, 'ops-monitor-old');
      await service.check();
      await service.check();
      expect(outbox.notifications()).toEqual([]);
    });

    it('the agent is stale only when every replica is', async () => {
      const { service, publisher, beat } = setup();
      await beat(MAX_AGE_S + 30, undefined, 'ops-monitor-0');
      await beat(MAX_AGE_S + 10, undefined, 'ops-monitor-1');
      await service.check();
      expect(publisher.events.map((event) => event.subject)).toEqual(['agent.stale']);
    });
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
      settle_ms: 0,
    });
    await service.check();
    expect(publisher.events).toEqual([]);
    expect(outbox.calls).toEqual([]);
    expect((await service.snapshot()).find((e) => e.agent === 'ops-monitor')).toMatchObject({
      state: 'alive',
    });
  });

  it('after a bus outage, a peer still asleep in its reconnect backoff is not stale yet', async () => {
    const { service, outbox, publisher, beat, setOutage } = setup();
    // The bus came back MAX_AGE_S + 2 s ago for us; a peer in a 10 s backoff may be back only now.
    await beat(MAX_AGE_S + 30);
    setOutage({
      down: new Date(Date.now() - (MAX_AGE_S + 10) * 1000),
      back: new Date(Date.now() - (MAX_AGE_S + 2) * 1000),
      settle_ms: 10_000,
    });
    await service.check();
    expect(publisher.events).toEqual([]);
    expect(outbox.calls).toEqual([]);
  });

  describe('with liveness.on_stale notify_and_restart', () => {
    it('restarts once per stale episode: agent.restarted, an audit record and ONE notice saying so', async () => {
      const { service, outbox, publisher, runtime, audit, beat } = setup({ restart: true });
      const at = await beat(MAX_AGE_S + 30);
      await service.check();
      await service.check();
      await service.check();
      expect(runtime.restarted).toEqual(['ops-monitor']);
      expect(publisher.events.map((event) => event.subject)).toEqual([
        'agent.stale',
        'agent.restarted',
      ]);
      expect(publisher.events[1]?.event).toMatchObject({
        agent: 'ops-monitor',
        outcome: 'restarted',
        runtime: 'supervisor',
        old_pid: 100,
        new_pid: 101,
        last_heartbeat_at: at,
        restarts_in_window: 1,
      });
      expect(audit.entries).toEqual([
        expect.objectContaining({ agent: 'atlas', action: 'agent.restart', verdict: 'allowed' }),
      ]);
      expect(outbox.notifications().map((command) => command.notification)).toEqual([
        expect.objectContaining({
          idempotency_key: `agent-stale:ops-monitor:${at}`,
          severity: 'medium',
          title: 'ops-monitor was stale, restarted by atlas',
          text: expect.stringContaining('(pid 100 → 101)'),
        }),
      ]);
    });

    it('the recovery after a successful restart is no second notice', async () => {
      const { service, outbox, beat } = setup({ restart: true });
      await beat(MAX_AGE_S + 30);
      await service.check();
      await beat(0);
      await service.check();
      expect(outbox.notifications()).toHaveLength(1);
    });

    it('a failed restart: a high notice, and a "back" notice when the agent returns', async () => {
      const { service, outbox, publisher, runtime, beat } = setup({ restart: true });
      runtime.failing = true;
      await beat(MAX_AGE_S + 30);
      await service.check();
      await service.check();
      expect(runtime.restarted).toEqual(['ops-monitor']);
      expect(publisher.events[1]?.event).toMatchObject({ outcome: 'failed' });
      await beat(0);
      await service.check();
      expect(outbox.notifications().map((command) => command.notification.title)).toEqual([
        'ops-monitor is stale, restart failed',
        'ops-monitor is back',
      ]);
    });

    it('a restart loop: past max_restarts in the window it gives up and escalates, then holds', async () => {
      const { service, outbox, publisher, runtime, audit, beat } = setup({ restart: true });
      for (let episode = 0; episode < 4; episode++) {
        // Each episode: the agent came back (a fresh heartbeat), then went silent again.
        await beat(0);
        await service.check();
        await beat(MAX_AGE_S + 30 + episode);
        await service.check();
      }
      expect(runtime.restarted).toEqual(['ops-monitor', 'ops-monitor']);
      const restarts = publisher.events.filter((event) => event.subject === 'agent.restarted');
      expect(restarts.map((event) => (event.event as { outcome: string }).outcome)).toEqual([
        'restarted',
        'restarted',
        'gave_up',
        'gave_up',
      ]);
      expect(audit.entries.map((entry) => entry.verdict)).toEqual([
        'allowed',
        'allowed',
        'refused',
        'refused',
      ]);
      const notices = outbox.notifications().map((command) => command.notification);
      expect(notices[2]).toMatchObject({
        severity: 'high',
        title: 'ops-monitor: restart loop, gave up',
        text: expect.stringContaining('restart loop: gave up on ops-monitor'),
      });
    });

    it('never restarts the same episode twice, even after atlas restarts (the history persists)', async () => {
      // Both atlases share the history store, as two lives of atlas share the lifecycle bucket.
      const history = new InMemoryRestartHistoryStore();
      const first = setup({ restart: true, history });
      const at = await first.beat(MAX_AGE_S + 30);
      await first.service.check();
      const second = setup({ restart: true, history });
      await second.beat(MAX_AGE_S + 30, at);
      await second.service.check();
      expect(first.runtime.restarted).toEqual(['ops-monitor']);
      expect(second.runtime.restarted).toEqual([]);
      // Its notice carries the episode's key: the shared outbox keeps the first one only.
      expect(second.outbox.notifications()[0]?.notification.idempotency_key).toBe(
        `agent-stale:ops-monitor:${at}`,
      );
    });

    it('never restarts atlas itself', async () => {
      const { runtime } = setup({ restart: true });
      const restarter = new AgentRestarter(
        runtime,
        new InMemoryRestartHistoryStore(),
        {
          config: {
            agents: new Map([
              [
                'atlas',
                {
                  liveness: {
                    on_stale: 'notify_and_restart',
                    restart_loop: { max_restarts: 3, window_minutes: 15 },
                  },
                },
              ],
            ]),
          },
        } as unknown as LoadedConfig,
        new RecordingPublisher('atlas') as unknown as EventPublisher,
        new RecordingAudit(),
      );
      expect(await restarter.onStale({ agent: 'atlas', last_heartbeat_at: null })).toBeNull();
      expect(runtime.restarted).toEqual([]);
    });
  });
});
