import { loadConfig, type LoadedConfig, type RestartServiceStep } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  CommandRunRecord,
  KV_BUCKETS,
  LeaseRecord,
  RemediationRunRecord,
  RestartLogRecord,
  SUBJECTS,
} from '@opscrew/contracts';
import { SandboxedRuntime } from '@opscrew/integrations';
import {
  EventPublisher,
  KvFactory,
  LeaseService,
  type NatsConnectionService,
  SilenceStore,
} from '@opscrew/messaging';
import {
  CrewConsumers,
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { runtimePolicyFor } from '@opscrew/sandbox';
import { ManualClock, RecordingAudit } from '@opscrew/testing';
import { RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { FakeRuntime } from '../remediation/testing/remediation.fakes';
import { CommandResults } from '../../../atlas/src/chatops/command-results.service';
import { RestartCommand } from '../../../atlas/src/chatops/restart.command';
import { ACTIONS } from '../remediation/actions/action.registry';
import { type ActionPorts, type StepContext } from '../remediation/actions/runbook-action';
import { ManualRestart } from './manual-restart.service';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const ALICE = { via: 'discord' as const, id: '284735193749618688', name: 'alice' };

/**
 * `/restart` end to end on a real JetStream (a namespaced stream and buckets per run): atlas's
 * RestartCommand publishes command.restart, jira-resolver's durable delivers it to ManualRestart
 * (the real runtime policy, sandbox, leases and restart log, over fake services), the answer
 * comes back on atlas-command-results to the waiting reply.
 */
describe('command.restart through the real bus and guardrails', () => {
  let bus: NatsConnectionService;
  let loaded: LoadedConfig;
  let consumers: CrewConsumers;
  let runtime: FakeRuntime;
  let audit: RecordingAudit;
  let kit: { restart: RestartCommand; results: CommandResults; silences: SilenceStore };
  let handled: string[];

  beforeAll(async () => {
    loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    ({ bus } = await openTestBus(NATS_URL, testNamespace()));
    const kv = new KvFactory(bus);
    const clock = new ManualClock(Date.now());
    const leases = new LeaseService(await kv.open(KV_BUCKETS.locks, { class: LeaseRecord }));
    const runs = new RemediationRunsRepository(
      await kv.open(KV_BUCKETS.remediations, { class: RemediationRunRecord }),
      await kv.open(KV_BUCKETS.remediations, { class: RestartLogRecord }),
      () => kv.listKeys(KV_BUCKETS.remediations),
    );
    runtime = new FakeRuntime(clock, (key, revision) => leases.isCurrent(key, revision));
    audit = new RecordingAudit();
    const policy = runtimePolicyFor(loaded.config, 'jira-resolver');
    const manual = new ManualRestart({
      config: loaded.config,
      policy,
      runtime: new SandboxedRuntime({
        agent: 'jira-resolver',
        driver: runtime.driver(),
        policy,
        fencing: (key, revision) => leases.isCurrent(key, revision),
        audit,
        mode: 'act',
      }),
      leases,
      restarts: runs,
      commands: await kv.open(KV_BUCKETS.remediations, { class: CommandRunRecord }),
      publisher: new EventPublisher(bus, 'jira-resolver'),
      audit,
      now: () => new Date(),
      holder: 'jira-resolver-it-1-abc',
    });
    consumers = new CrewConsumers(bus);
    handled = [];
    await consumers.consume('jira-resolver-commands', async (event) => {
      handled.push(event.request_id);
      await manual.handle(event);
    });
    // atlas's side: the reply waiters, the command, the silences it writes.
    const results = new CommandResults();
    kit = {
      results,
      restart: new RestartCommand(loaded, new EventPublisher(bus, 'atlas'), results),
      silences: await SilenceStore.open(kv),
    };
    await consumers.consume('atlas-command-results', (event) => void kit.results.deliver(event));
  });

  afterAll(async () => {
    kit.results.onModuleDestroy();
    await consumers.stopAll();
    await removeTestTopology(bus);
    await bus.close();
  });

  it('restarts a watched service for the caller and replies with the answer', async () => {
    const reply = await kit.restart.execute({ service: 'cart', reason: 'stuck' }, ALICE);
    expect(reply.text).toMatch(
      /^\/restart cart: restarted cart for alice \(discord 284735193749618688\); new instance started /,
    );
    expect(runtime.restarts.map((r) => r.service)).toEqual(['cart']);
    expect(audit.entries.map((e) => `${e.action} ${e.verdict}`)).toEqual([
      'runtime.restart allowed',
      'command.restart allowed',
    ]);
  });

  it('a command delivered twice restarts once (the run is keyed on the request id)', async () => {
    const atlas = new EventPublisher(bus, 'atlas');
    const payload = { request_id: 'dup-req-1', service: 'ad', requested_by: ALICE };
    // Two messages for one request (different event ids, so the stream keeps both): what a
    // redelivery after a lost ack looks like to the handler.
    await atlas.publish(SUBJECTS.commandRestart, payload, { id: 'command.restart.dup-1-a' });
    await atlas.publish(SUBJECTS.commandRestart, payload, { id: 'command.restart.dup-1-b' });
    await eventually(() => handled.filter((id) => id === 'dup-req-1').length === 2);
    expect(runtime.restarts.filter((r) => r.service === 'ad')).toHaveLength(1);
  });

  it('refuses a protected service with a clear reply, restarting nothing', async () => {
    const before = runtime.restarts.length;
    // A refusal (ChatCommandError): the router answers it and audits the command as refused.
    await expect(kit.restart.execute({ service: 'flagd' }, ALICE)).rejects.toThrow(
      /^\/restart flagd: not restarting flagd: flagd is a protected service \(services.protected\)/,
    );
    expect(runtime.restarts).toHaveLength(before);
    expect(audit.entries.at(-1)).toEqual(
      expect.objectContaining({ action: 'command.restart', verdict: 'refused' }),
    );
  });

  it("keeps the cooldown for a human too: a second /restart of cart is refused, and a human's /restart during their own silence is allowed", async () => {
    await expect(kit.restart.execute({ service: 'cart' }, ALICE)).rejects.toThrow(
      /it was restarted \d+ s ago .*the cooldown is 600 s/,
    );
    await kit.silences.silence('shipping', new Date(Date.now() + 3_600_000), 'maintenance', ALICE);
    const during = await kit.restart.execute({ service: 'shipping' }, ALICE);
    expect(during.text).toMatch(/^\/restart shipping: restarted shipping for alice/);
  });

  it('the silence is visible to every reader of the bucket until it ends', async () => {
    const reader = await SilenceStore.open(new KvFactory(bus));
    expect(await reader.isSilenced('shipping')).toEqual(
      expect.objectContaining({ reason: 'maintenance', by: ALICE }),
    );
    expect(await reader.isSilenced('shipping', new Date(Date.now() + 2 * 3_600_000))).toBeNull();
    expect(await kit.silences.end('shipping')).not.toBeNull();
    expect(await reader.isSilenced('shipping')).toBeNull();
  });

  it("a remediation run never restarts a silenced service: the step waits for the window's end", async () => {
    const until = new Date(Date.now() + 600_000);
    await kit.silences.silence('payment', until, 'vendor maintenance', ALICE);
    // jira-resolver reads the bucket through its own handle.
    const silences = await SilenceStore.open(new KvFactory(bus));
    const before = runtime.restarts.length;
    const context: StepContext = {
      deps: {
        config: loaded.config,
        runtime,
        silences,
        now: () => new Date(),
      } as unknown as ActionPorts,
      run: {
        incident_id: 'INC-20261207-001',
        run_id: 'r1',
        attempt: 1,
        service: 'payment',
        symptom: 'high_error_rate',
        severity: 'high',
        mode: 'act',
        state: 'running',
        runbook: 'high_error_rate',
        step_index: 0,
        steps: [],
        evidence: '',
        owner: 'me',
        owner_until: new Date(Date.now() + 600_000).toISOString(),
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
        next_at: new Date().toISOString(),
      },
      save: () => Promise.resolve(),
      caller: { agent: 'jira-resolver', reason: 'test', incident_id: 'INC-20261207-001' },
    };
    const step = { step: 1, action: 'restart_service', condition: 'always' } as RestartServiceStep;
    expect(await ACTIONS.restart_service.execute(context, step)).toEqual({
      kind: 'defer',
      deferral: 'guard',
      holder: 'silence',
      until: until.toISOString(),
      reason: expect.stringMatching(
        /^payment is silenced until .* by alice \(discord\): vendor maintenance/,
      ) as string,
    });
    expect(runtime.restarts).toHaveLength(before);
  });
});
