import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AGENT_NAMES } from '@opscrew/contracts';
import { loadConfig } from '@opscrew/config';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/**
 * No registry is reachable here, so the compose file is validated by parsing it
 * (and by `docker-compose config` when the binary is installed), not by pulling images.
 */
describe('deployment files', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };

  it('runs NATS with JetStream on a volume, with the server config from deploy/nats', () => {
    const nats = compose.services.nats;
    expect(nats?.volumes).toEqual(
      expect.arrayContaining(['./deploy/nats/nats.conf:/etc/nats/nats.conf:ro', 'nats-data:/data']),
    );
    expect(nats?.healthcheck?.test.join(' ')).toContain('js-enabled-only=true');
    expect(compose.volumes).toHaveProperty('nats-data');
    const conf = readFileSync(join(ROOT, 'deploy/nats/nats.conf'), 'utf8');
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data\/jetstream/);
  });

  it('runs each agent from the one image, after NATS is healthy, with a /health healthcheck on its configured port', () => {
    const loaded = loadConfig({ configDir: join(ROOT, 'config'), env: {} });
    for (const agent of AGENT_NAMES) {
      const service = compose.services[agent];
      const port = loaded.config.agents.get(agent)?.port;
      expect(service?.image).toBe('opscrew:local');
      expect(service?.command).toEqual(['start', agent]);
      expect(service?.depends_on?.nats?.condition).toBe('service_healthy');
      expect(service?.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/health`);
      expect(service?.ports).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(service?.volumes).toContain('./config:/app/config:ro');
      expect(service?.environment).toMatchObject({
        NATS_URL: 'nats://nats:4222',
        OPSCREW_HTTP_HOST: '0.0.0.0',
      });
    }
  });

  it('gives the Docker socket to jira-resolver only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const hasSocket = (service.volumes ?? []).some((volume) =>
        volume.startsWith('/var/run/docker.sock'),
      );
      expect([name, hasSocket]).toEqual([name, name === 'jira-resolver']);
    }
  });

  it('builds one multi-stage image from node:20-bookworm-slim that runs the CLI', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:20-bookworm-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/opscrew\.js"\]/m);
    expect(dockerfile).toMatch(/^USER node/m);
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  (dockerCompose.status === 0 ? it : it.skip)('passes docker-compose config', () => {
    const result = spawnSync(
      'docker-compose',
      ['-f', join(ROOT, 'docker-compose.yml'), 'config', '-q'],
      { encoding: 'utf8', cwd: ROOT },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
