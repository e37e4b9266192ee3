import { loadConfig, type OpscrewConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type AuditEntry } from '@opscrew/ports';
import type Dockerode from 'dockerode';
import { type DockerApi } from './docker.runtime-driver';
import { RuntimeRefusedError } from './runtime.port';
import { createRuntime } from './runtime.factory';
import { SandboxedRuntime } from './sandboxed.runtime';

function shipped(): OpscrewConfig {
  return loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
}

const CALLER = { agent: 'jira-resolver', reason: 'test' };

describe('createRuntime', () => {
  const entries: AuditEntry[] = [];
  const deps = {
    fencing: () => Promise.resolve(true),
    audit: {
      record: (e: AuditEntry): Promise<void> => {
        entries.push(e);
        return Promise.resolve();
      },
    },
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  };

  it('builds the process runtime behind the sandbox for the shipped config', () => {
    const runtime = createRuntime(shipped(), 'jira-resolver', {
      ...deps,
      process: { control_url: 'http://127.0.0.1:7190', token: 'control-token-0123456789' },
    });
    expect(runtime).toBeInstanceOf(SandboxedRuntime);
    expect(runtime.kind).toBe('process');
    expect((runtime as SandboxedRuntime).mode).toBe('act');
  });

  it('needs the supervisor URL and token for the process runtime', () => {
    expect(() => createRuntime(shipped(), 'jira-resolver', deps)).toThrow(
      /kind is "process" but no process supervisor control URL and token were given/,
    );
  });

  it('builds the Docker runtime from integrations.runtime.docker and the mode from the agent', async () => {
    const config = shipped();
    config.integrations.runtime.kind = 'docker';
    const agent = config.agents.get('jira-resolver');
    if (agent) agent.mode = 'observe';
    const labels: string[][] = [];
    const docker: DockerApi = {
      listContainers: (options) => {
        labels.push(options.filters.label ?? []);
        return Promise.resolve([
          {
            Id: 'c1',
            Names: ['/opscrew-cart-1'],
            Labels: {},
          } as unknown as Dockerode.ContainerInfo,
        ]);
      },
      getContainer: () => {
        throw new Error('observe mode must not touch the container');
      },
    };
    const runtime = createRuntime(config, 'jira-resolver', { ...deps, docker });
    expect(runtime.kind).toBe('docker');
    await expect(
      runtime.restart('cart', { key: 'service.cart', revision: 3 }, CALLER),
    ).resolves.toEqual({ service: 'cart', started_at: null, dry_run: true });
    expect(labels).toEqual([]);
    expect(entries.at(-1)).toMatchObject({
      action: 'runtime.restart',
      verdict: 'allowed',
      revision: 3,
    });
  });

  it('gives an agent without runtime access a runtime that refuses everything', async () => {
    const config = shipped();
    const runtime = createRuntime(config, 'ops-monitor', {
      ...deps,
      process: { control_url: 'http://127.0.0.1:1', token: 'control-token-0123456789' },
    });
    await expect(
      runtime.inspect('cart', { agent: 'ops-monitor', reason: 'test' }),
    ).rejects.toBeInstanceOf(RuntimeRefusedError);
  });

  it('names an unknown agent', () => {
    expect(() => createRuntime(shipped(), 'nobody', deps)).toThrow(/no agent "nobody"/);
  });
});
