import { inputDigest, JsonlAuditLog } from '@opscrew/guardrails';
import { type AuditEntry, type AuditSink } from '@opscrew/ports';
import { RuntimePolicy, type RuntimeTarget, type WatchedServiceInput } from '@opscrew/sandbox';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DriverRestartResult, type RuntimeDriver } from './runtime-driver';
import { type RuntimeCaller, type RuntimeInspection, RuntimeRefusedError } from './runtime.port';
import { type FencingCheck, type RuntimeMode, SandboxedRuntime } from './sandboxed.runtime';

const SECRET_REASON = 'INC-1 runbook step 2; ticket says: api_key=sk-live-0123456789';
const CALLER: RuntimeCaller = {
  agent: 'jira-resolver',
  reason: SECRET_REASON,
  incident_id: 'INC-20261124-001',
};
const LEASE = { key: 'service.cart', revision: 42 };

class SpyDriver implements RuntimeDriver {
  readonly kind = 'docker';
  readonly calls: { op: string; target: RuntimeTarget; tail?: number }[] = [];
  failWith: Error | null = null;

  inspect(target: RuntimeTarget): Promise<RuntimeInspection> {
    this.calls.push({ op: 'inspect', target });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve({
      service: target.service,
      id: 'abc',
      name: target.runtime_name,
      running: true,
      status: 'running',
      oom_killed: false,
      exit_code: null,
      health: 'unhealthy',
      started_at: '2026-11-24T10:00:00Z',
      restart_count: 0,
    });
  }

  logs(target: RuntimeTarget, tail: number) {
    this.calls.push({ op: 'logs', target, tail });
    return Promise.resolve({
      service: target.service,
      lines: Array.from({ length: tail + 5 }, (_, i) => ({
        stream: 'stdout' as const,
        text: `line ${i}`,
      })),
    });
  }

  restart(target: RuntimeTarget): Promise<DriverRestartResult> {
    this.calls.push({ op: 'restart', target });
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve({ started_at: '2026-11-24T10:05:00Z' });
  }
}

class MemoryAudit implements AuditSink {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
}

function policy(): RuntimePolicy {
  return new RuntimePolicy({
    runtime: {
      allowed_commands: ['restart', 'logs', 'inspect'],
      blocked_commands: ['rm', 'exec', 'build', 'kill', 'stop'],
    },
    services: {
      watched: new Map<string, WatchedServiceInput>([
        ['cart', { aliases: ['cartservice'] }],
        ['frontend', { container: 'shop-frontend' }],
      ]),
      protected: ['nats', 'flagd'],
    },
  });
}

function setup(options: { mode?: RuntimeMode; fencing?: FencingCheck; audit?: AuditSink } = {}): {
  runtime: SandboxedRuntime;
  driver: SpyDriver;
  audit: MemoryAudit;
  fencingCalls: unknown[][];
} {
  const driver = new SpyDriver();
  const audit = new MemoryAudit();
  const fencingCalls: unknown[][] = [];
  const fencing: FencingCheck = (key, revision) => {
    fencingCalls.push([key, revision, driver.calls.length]);
    return options.fencing ? options.fencing(key, revision) : Promise.resolve(true);
  };
  const runtime = new SandboxedRuntime({
    agent: 'jira-resolver',
    driver,
    policy: policy(),
    fencing,
    audit: options.audit ?? audit,
    mode: options.mode ?? 'act',
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return { runtime, driver, audit, fencingCalls };
}

describe('SandboxedRuntime', () => {
  describe('allowed calls', () => {
    it('inspects through the driver with the resolved target and audits the result', async () => {
      const { runtime, driver, audit } = setup();
      const result = await runtime.inspect('cartservice', CALLER);
      expect(result.service).toBe('cart');
      expect(driver.calls).toEqual([
        {
          op: 'inspect',
          target: { service: 'cart', runtime_name: 'cart', protected: false, restartable: true },
        },
      ]);
      expect(audit.entries).toEqual([
        {
          agent: 'jira-resolver',
          action: 'runtime.inspect',
          verdict: 'allowed',
          result:
            'inspected cart: running, health unhealthy, started_at 2026-11-24T10:00:00Z, restarts 0',
          input: expect.anything(),
          incident_id: 'INC-20261124-001',
        },
      ]);
    });

    it('reads logs with the tail asked for, never more', async () => {
      const { runtime, driver, audit } = setup();
      const logs = await runtime.logs('frontend', 3, CALLER);
      expect(driver.calls[0]).toMatchObject({
        op: 'logs',
        tail: 3,
        target: { runtime_name: 'shop-frontend' },
      });
      expect(logs.lines.map((l) => l.text)).toEqual(['line 5', 'line 6', 'line 7']);
      expect(audit.entries[0]).toMatchObject({
        action: 'runtime.logs',
        verdict: 'allowed',
        result: 'read 3 log lines of frontend (shop-frontend)',
      });
    });

    it('restarts after checking the fencing token right before acting, and audits the revision', async () => {
      const { runtime, driver, audit, fencingCalls } = setup();
      const outcome = await runtime.restart('cart', LEASE, CALLER);
      expect(outcome).toEqual({
        service: 'cart',
        started_at: '2026-11-24T10:05:00Z',
        dry_run: false,
      });
      // Checked once, when the driver had not been called yet.
      expect(fencingCalls).toEqual([['service.cart', 42, 0]]);
      expect(driver.calls.map((c) => c.op)).toEqual(['restart']);
      expect(audit.entries).toEqual([
        expect.objectContaining({
          action: 'runtime.restart',
          verdict: 'allowed',
          result: 'restarted cart: started_at 2026-11-24T10:05:00Z',
          revision: 42,
          incident_id: 'INC-20261124-001',
        }),
      ]);
    });

    it('audits a driver failure as allowed-but-failed and rethrows it', async () => {
      const { runtime, driver, audit } = setup();
      driver.failWith = new Error('Docker daemon unreachable at unix:///var/run/docker.sock');
      await expect(runtime.restart('cart', LEASE, CALLER)).rejects.toThrow(/daemon unreachable/);
      expect(audit.entries[0]).toMatchObject({
        verdict: 'allowed',
        result: 'failed on cart: Docker daemon unreachable at unix:///var/run/docker.sock',
        revision: 42,
      });
    });
  });

  describe('refusals never reach the driver and are audited', () => {
    it.each([
      ['rm', 'command rm is blocked (sandbox.runtime.blocked_commands)'],
      ['exec', 'command exec is blocked (sandbox.runtime.blocked_commands)'],
      ['build', 'command build is blocked (sandbox.runtime.blocked_commands)'],
      ['kill', 'command kill is blocked (sandbox.runtime.blocked_commands)'],
      ['stop', 'command stop is blocked (sandbox.runtime.blocked_commands)'],
      ['start', 'command start is not allowed (allowed: restart, logs, inspect)'],
      [
        'docker rm -f cart',
        'command (not a command name) is not allowed (allowed: restart, logs, inspect)',
      ],
    ])('execute(%j) is refused', async (command, reason) => {
      const { runtime, driver, audit } = setup();
      const err = await runtime.execute(command, 'cart', CALLER).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuntimeRefusedError);
      expect((err as RuntimeRefusedError).reason).toBe(reason);
      expect(driver.calls).toEqual([]);
      expect(audit.entries).toEqual([
        expect.objectContaining({
          action: /^[a-z]+$/.test(command) ? `runtime.${command}` : 'runtime.invalid-name',
          verdict: 'refused',
          result: `refused: ${reason}`,
        }),
      ]);
    });

    it.each(['cart; rm -rf /', '../nats', 'nats ', 'ｎats', 'payment'])(
      'refuses the service %j for every command',
      async (service) => {
        const { runtime, driver, audit } = setup();
        await expect(runtime.inspect(service, CALLER)).rejects.toBeInstanceOf(RuntimeRefusedError);
        await expect(runtime.logs(service, 10, CALLER)).rejects.toBeInstanceOf(RuntimeRefusedError);
        await expect(runtime.restart(service, LEASE, CALLER)).rejects.toBeInstanceOf(
          RuntimeRefusedError,
        );
        expect(driver.calls).toEqual([]);
        expect(audit.entries.map((e) => e.verdict)).toEqual(['refused', 'refused', 'refused']);
        for (const e of audit.entries) expect(e.result).not.toContain(service.trim() || '\u0000');
      },
    );

    it('refuses to restart a protected service but lets it be read', async () => {
      const { runtime, driver, audit } = setup();
      await expect(
        runtime.restart('nats', { key: 'service.nats', revision: 1 }, CALLER),
      ).rejects.toThrow(/nats is a protected service/);
      expect(driver.calls).toEqual([]);
      await runtime.inspect('nats', CALLER);
      expect(driver.calls.map((c) => c.op)).toEqual(['inspect']);
      expect(audit.entries.map((e) => [e.action, e.verdict])).toEqual([
        ['runtime.restart', 'refused'],
        ['runtime.inspect', 'allowed'],
      ]);
    });

    it('refuses a stale fencing token with the lease named', async () => {
      const { runtime, driver, audit } = setup({ fencing: () => Promise.resolve(false) });
      await expect(runtime.restart('cart', LEASE, CALLER)).rejects.toThrow(
        'runtime refused restart on cart: stale fencing token: lease service.cart is at a newer revision than 42 (or no longer held)',
      );
      expect(driver.calls).toEqual([]);
      expect(audit.entries).toEqual([
        expect.objectContaining({ action: 'runtime.restart', verdict: 'refused', revision: 42 }),
      ]);
    });

    it('fails closed when the fencing check itself fails', async () => {
      const { runtime, driver } = setup({
        fencing: () => Promise.reject(new Error('TIMEOUT')),
      });
      await expect(runtime.restart('cart', LEASE, CALLER)).rejects.toThrow(
        /fencing check failed for lease service.cart: TIMEOUT/,
      );
      expect(driver.calls).toEqual([]);
    });

    it("refuses a lease on another service's key", async () => {
      const { runtime, driver, fencingCalls } = setup();
      await expect(
        runtime.restart('cart', { key: 'service.frontend', revision: 42 }, CALLER),
      ).rejects.toThrow(/fencing key does not cover cart \(expected service.cart\)/);
      expect(fencingCalls).toEqual([]);
      expect(driver.calls).toEqual([]);
    });

    it('accepts a lease on the canonical key when the service is named by an alias', async () => {
      const { runtime, driver } = setup();
      await runtime.restart('cartservice', LEASE, CALLER);
      expect(driver.calls.map((c) => c.op)).toEqual(['restart']);
    });

    it.each([0, -1, 1.5, Number.NaN])('refuses the fencing revision %p', async (revision) => {
      const { runtime, driver } = setup();
      await expect(
        runtime.restart('cart', { key: 'service.cart', revision }, CALLER),
      ).rejects.toThrow(/fencing revision must be a positive integer/);
      expect(driver.calls).toEqual([]);
    });

    it('refuses execute("restart") without a fencing token', async () => {
      const { runtime, driver, audit } = setup();
      await expect(runtime.execute('restart', 'cart', CALLER)).rejects.toThrow(
        /restart needs the fencing token/,
      );
      expect(driver.calls).toEqual([]);
      expect(audit.entries[0]).toMatchObject({ action: 'runtime.restart', verdict: 'refused' });
    });

    it.each([0, -5, 2001, 1.5, Number.NaN])('refuses a logs tail of %p', async (tail) => {
      const { runtime, driver } = setup();
      await expect(runtime.logs('cart', tail, CALLER)).rejects.toThrow(
        /tail must be an integer from 1 to 2000/,
      );
      expect(driver.calls).toEqual([]);
    });

    it('refuses a caller that is not the sandbox owner', async () => {
      const { runtime, driver, audit } = setup();
      await expect(runtime.inspect('cart', { ...CALLER, agent: 'ops-monitor' })).rejects.toThrow(
        /caller ops-monitor is not jira-resolver/,
      );
      expect(driver.calls).toEqual([]);
      expect(audit.entries[0]).toMatchObject({ agent: 'jira-resolver', verdict: 'refused' });
    });
  });

  describe('execute', () => {
    it('routes the three known commands', async () => {
      const { runtime, driver } = setup();
      await runtime.execute('inspect', 'cart', CALLER);
      await runtime.execute('logs', 'cart', CALLER, { tail: 2 });
      await runtime.execute('logs', 'cart', CALLER);
      await runtime.execute('restart', 'cart', CALLER, { fencing: LEASE });
      expect(driver.calls.map((c) => [c.op, c.tail])).toEqual([
        ['inspect', undefined],
        ['logs', 2],
        ['logs', 100],
        ['restart', undefined],
      ]);
    });
  });

  describe('observe mode', () => {
    it('records a restart as a dry run and does not execute it', async () => {
      const { runtime, driver, audit, fencingCalls } = setup({ mode: 'observe' });
      const outcome = await runtime.restart('cart', LEASE, CALLER);
      expect(outcome).toEqual({ service: 'cart', started_at: null, dry_run: true });
      expect(driver.calls).toEqual([]);
      expect(fencingCalls).toHaveLength(1);
      expect(audit.entries).toEqual([
        expect.objectContaining({
          action: 'runtime.restart',
          verdict: 'allowed',
          result: 'dry run (observe mode): would restart cart; not executed',
          revision: 42,
        }),
      ]);
    });

    it('still refuses what the policy refuses, and still reads', async () => {
      const { runtime, driver } = setup({ mode: 'observe' });
      await expect(runtime.execute('rm', 'cart', CALLER)).rejects.toBeInstanceOf(
        RuntimeRefusedError,
      );
      await runtime.inspect('cart', CALLER);
      expect(driver.calls.map((c) => c.op)).toEqual(['inspect']);
    });
  });

  describe('audit records', () => {
    it('carry the digest of the request, never the request (file check)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'opscrew-sandboxed-'));
      try {
        const path = join(dir, 'audit.jsonl');
        const { runtime } = setup({ audit: new JsonlAuditLog({ path }) });
        await runtime.restart('cart', LEASE, CALLER);
        await runtime.execute('exec', 'cart', CALLER).catch(() => undefined);
        const text = readFileSync(path, 'utf8');
        expect(text).not.toContain('sk-live');
        expect(text).not.toContain('ticket says');
        const records = text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(records).toEqual([
          expect.objectContaining({
            action: 'runtime.restart',
            verdict: 'allowed',
            revision: 42,
            incident_id: 'INC-20261124-001',
            input_digest: inputDigest({
              command: 'restart',
              service: 'cart',
              caller: CALLER,
              fencing: LEASE,
            }),
          }),
          expect.objectContaining({ action: 'runtime.exec', verdict: 'refused' }),
        ]);
        expect(records[1]).not.toHaveProperty('revision');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails closed: when the refusal cannot be audited, the error says so and nothing runs', async () => {
      const broken: AuditSink = { record: () => Promise.reject(new Error('disk full')) };
      const { runtime, driver } = setup({ audit: broken });
      await expect(runtime.execute('rm', 'cart', CALLER)).rejects.toThrow('disk full');
      await expect(runtime.restart('nats', LEASE, CALLER)).rejects.toThrow('disk full');
      expect(driver.calls).toEqual([]);
    });

    it('reports an action whose audit record failed instead of passing silently', async () => {
      const broken: AuditSink = { record: () => Promise.reject(new Error('disk full')) };
      const { runtime } = setup({ audit: broken });
      await expect(runtime.restart('cart', LEASE, CALLER)).rejects.toThrow(
        'restart of cart succeeded but its audit record failed: disk full',
      );
    });
  });
});
