import { loadConfig, type LoadedConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  buildEvent,
  type CommandRestartEvent,
  CommandRunRecord,
  LeaseRecord,
  RemediationRunRecord,
  RestartLogRecord,
  serviceLockKey,
} from '@opscrew/contracts';
import { SandboxedRuntime } from '@opscrew/integrations';
import { LeaseService, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { runtimePolicyFor } from '@opscrew/sandbox';
import { ManualClock, RecordingAudit, RecordingPublisher } from '@opscrew/testing';
import { RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { FakeRuntime, REMEDIATION_START } from '../remediation/testing/remediation.fakes';
import { commandRunKey, ManualRestart } from './manual-restart.service';

const ALICE = { via: 'discord' as const, id: '284735193749618688', name: 'alice' };

describe('ManualRestart (a human /restart through the runbook restart guardrails)', () => {
  let loaded: LoadedConfig;
  let clock: ManualClock;
  let runtime: FakeRuntime;
  let leases: LeaseService;
  let runs: RemediationRunsRepository;
  let commands: TypedKv<CommandRunRecord>;
  let audit: RecordingAudit;
  let publisher: RecordingPublisher;
  let restart: ManualRestart;

  beforeAll(() => {
    loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  });

  beforeEach(() => {
    clock = new ManualClock(REMEDIATION_START);
    const remediations = new FakeKv('remediations');
    const list = (): Promise<string[]> => remediationKeys(remediations);
    runs = new RemediationRunsRepository(
      new TypedKv(remediations.asKv(), 'remediations', { class: RemediationRunRecord }, list),
      new TypedKv(remediations.asKv(), 'remediations', { class: RestartLogRecord }, list),
      list,
    );
    commands = new TypedKv(remediations.asKv(), 'remediations', { class: CommandRunRecord }, list);
    leases = new LeaseService(
      new TypedKv(new FakeKv('locks').asKv(), 'locks', { class: LeaseRecord }),
      clock,
    );
    runtime = new FakeRuntime(clock, (key, revision) => leases.isCurrent(key, revision));
    audit = new RecordingAudit();
    publisher = new RecordingPublisher('jira-resolver', clock);
    restart = compose('act');
  });

  function compose(mode: 'act' | 'observe'): ManualRestart {
    const policy = runtimePolicyFor(loaded.config, 'jira-resolver');
    return new ManualRestart({
      config: loaded.config,
      policy,
      // The real sandbox (policy again, fencing, its own audit) in front of the fake services.
      runtime: new SandboxedRuntime({
        agent: 'jira-resolver',
        driver: runtime.driver(),
        policy,
        fencing: (key, revision) => leases.isCurrent(key, revision),
        audit,
        mode,
      }),
      leases,
      restarts: runs,
      commands,
      publisher,
      audit,
      now: clock.date,
      holder: 'jira-resolver-host-1-abc',
    });
  }

  function command(service: string, requestId = `req-${service}`): CommandRestartEvent {
    return buildEvent(
      'command.restart',
      { request_id: requestId, service, requested_by: ALICE, reason: 'stuck after rollout' },
      'atlas',
      { at: clock.date() },
    );
  }

  const results = (): { request_id: string; ok: boolean; text: string }[] =>
    publisher.events
      .filter((e) => e.subject === 'command.result')
      .map((e) => e.event as unknown as { request_id: string; ok: boolean; text: string });

  it('restarts a watched service under its lease, audited with the human, and answers', async () => {
    const verdict = await restart.handle(command('cart'));
    expect(verdict.ok).toBe(true);
    expect(verdict.text).toMatch(/^restarted cart for alice \(discord 284735193749618688\)/);
    expect(runtime.restarts.map((r) => r.service)).toEqual(['cart']);
    expect(results()).toEqual([expect.objectContaining({ request_id: 'req-cart', ok: true })]);
    // The lease was taken and given back, on the bus both times.
    expect(publisher.events.map((e) => e.subject)).toEqual([
      'lock.acquired',
      'lock.released',
      'command.result',
    ]);
    expect(await leases.current(serviceLockKey('cart'))).toBeNull();
    // The sandbox's own record and ours, which names the human.
    expect(audit.entries.map((e) => `${e.action} ${e.verdict}`)).toEqual([
      'runtime.restart allowed',
      'command.restart allowed',
    ]);
    expect(audit.entries[1]?.result).toContain('requested by alice (discord 284735193749618688)');
    // It counts in the crew's restart log (cooldown, restarts per hour).
    expect((await runs.lastRestart('cart'))?.value.incident_id).toBe('command:req-cart');
  });

  it('a redelivered command never restarts twice: the answer is repeated (same event id)', async () => {
    await restart.handle(command('cart'));
    const again = await restart.handle(command('cart'));
    expect(again.ok).toBe(true);
    expect(runtime.restarts).toHaveLength(1);
    // The repeated answer has the same id: the stream (here the recorder) keeps one.
    expect(results()).toHaveLength(1);
  });

  it('a command claimed but never finished (a crash) is not run again, and says so', async () => {
    await commands.create(commandRunKey('req-cart'), {
      service: 'cart',
      requested_by: ALICE,
      state: 'started',
      started_at: clock.iso(),
    });
    const verdict = await restart.handle(command('cart'));
    expect(verdict.ok).toBe(false);
    expect(verdict.text).toMatch(/interrupted; not restarting it twice/);
    expect(runtime.restarts).toHaveLength(0);
    expect((await commands.get(commandRunKey('req-cart')))?.value.state).toBe('done');
  });

  it('refuses a protected service with the policy reason, touching nothing', async () => {
    const verdict = await restart.handle(command('flagd'));
    expect(verdict).toEqual({
      ok: false,
      text: expect.stringMatching(/not restarting flagd: flagd is a protected service/) as string,
    });
    expect(runtime.restarts).toHaveLength(0);
    expect(publisher.events.map((e) => e.subject)).toEqual(['command.result']);
    expect(audit.entries.map((e) => `${e.action} ${e.verdict}`)).toEqual([
      'command.restart refused',
    ]);
  });

  it('refuses an unknown name without repeating it', async () => {
    const verdict = await restart.handle(command('no-such-svc'));
    expect(verdict.ok).toBe(false);
    expect(verdict.text).toMatch(/neither watched/);
    expect(runtime.restarts).toHaveLength(0);
  });

  it('keeps the cooldown: a service the crew restarted minutes ago is not restarted again', async () => {
    await runs.recordRestart({ service: 'cart', at: clock.iso(), incident_id: 'INC-20261124-001' });
    clock.advance(60_000);
    const verdict = await restart.handle(command('cart'));
    expect(verdict.ok).toBe(false);
    expect(verdict.text).toMatch(
      /restarted 60 s ago \(for INC-20261124-001\); the cooldown is 600 s/,
    );
    expect(runtime.restarts).toHaveLength(0);
  });

  it('keeps the restarts-per-hour budget across services', async () => {
    const limit = loaded.config.thresholds.guardrails.rate_limits.restarts_per_hour;
    for (let i = 0; i < limit; i++)
      await runs.recordRestart({ service: `svc-${i}`, at: clock.iso(), incident_id: `r${i}` });
    const verdict = await restart.handle(command('cart'));
    expect(verdict.text).toMatch(new RegExp(`${limit} restarts by the crew in the last hour`));
    expect(runtime.restarts).toHaveLength(0);
  });

  it('waits for nobody: a load test holding the service makes it a clear refusal', async () => {
    await leases.acquire(serviceLockKey('cart'), 'demo-controller-h-1:run-1', 60_000, 'load test');
    const verdict = await restart.handle(command('cart'));
    expect(verdict.ok).toBe(false);
    expect(verdict.text).toMatch(/demo-controller-h-1:run-1 holds it until/);
    expect(runtime.restarts).toHaveLength(0);
  });

  it('observe mode decides and audits but restarts nothing', async () => {
    const verdict = await compose('observe').handle(command('cart'));
    expect(verdict).toEqual({
      ok: false,
      text: expect.stringMatching(/^observe mode: would restart cart/) as string,
    });
    expect(runtime.restarts).toHaveLength(0);
    expect(await runs.lastRestart('cart')).toBeNull();
  });
});

async function remediationKeys(kv: FakeKv): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.asKv().keys()) keys.push(key);
  return keys;
}
