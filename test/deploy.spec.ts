import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { AGENT_NAMES } from '@opscrew/contracts';
import { type LoadedConfig, loadConfig } from '@opscrew/config';
import { parse } from 'yaml';
import { dependencyEnvName, SERVICE_ENV } from '../apps/demo-shop/src/service-env';
import {
  SHOP_SERVICE_NAMES,
  SHOP_SERVICE_PROFILES,
} from '../apps/demo-shop/src/shop-service.profiles';

const ROOT = resolve(__dirname, '..');
/** The compose overlay, mounted as the root file of OPSCREW_CONFIG with config/ beside it. */
const COMPOSE_OVERLAY = 'deploy/compose/opscrew.json5';
/** Where the image keeps the project (its WORKDIR): relative config paths resolve against it. */
const APP_DIR = '/app';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  container_name?: string;
  group_add?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** What .env gives docker-compose (test values: the files carry no default secrets). */
const COMPOSE_ENV: Record<string, string> = {
  NATS_PASSWORD_ATLAS: 'testAtlas',
  NATS_PASSWORD_OPS_MONITOR: 'testOpsMonitor',
  NATS_PASSWORD_JIRA_RESOLVER: 'testJiraResolver',
  NATS_PASSWORD_DEMO_CONTROLLER: 'testDemoController',
  NATS_PASSWORD_CLI: 'testCli',
  OPSCREW_API_TOKEN: 'test-api-token-for-compose',
  OPSCREW_SHOP_TOKEN: 'test-shop-token-for-compose',
};

/** The compose config root as the agents' containers see it, assembled in a temp folder. */
function loadComposeConfig(configRoot: string): LoadedConfig {
  cpSync(join(ROOT, 'config'), join(configRoot, 'shipped'), { recursive: true });
  copyFileSync(join(ROOT, COMPOSE_OVERLAY), join(configRoot, 'opscrew.json5'));
  return loadConfig({ configDir: configRoot, env: COMPOSE_ENV });
}

/** `http://cart:7102/metrics` → host `cart`, port 7102, origin `http://cart:7102`. */
function target(url: string | undefined): { host: string; port: string; origin: string } {
  const parsed = new URL(url ?? 'missing:');
  return { host: parsed.hostname, port: parsed.port, origin: parsed.origin };
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
    volumes: Record<string, { driver_opts?: Record<string, string> } | null>;
  };
  const composeRoot = mkdtempSync(join(tmpdir(), 'opscrew-compose-config-'));
  afterAll(() => rmSync(composeRoot, { recursive: true, force: true }));
  let composeConfig: LoadedConfig;
  beforeAll(() => {
    composeConfig = loadComposeConfig(join(composeRoot, 'config'));
  });

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
      expect(service?.environment).toMatchObject({
        OPSCREW_CONFIG: '/app/compose-config',
        NATS_URL: 'nats://nats:4222',
        OPSCREW_HTTP_HOST: '0.0.0.0',
      });
      // The overlay's `$include: './shipped/opscrew.json5'` finds the shipped config beside it.
      expect(service?.volumes).toEqual(
        expect.arrayContaining([
          './config:/app/compose-config/shipped:ro',
          `./${COMPOSE_OVERLAY}:/app/compose-config/opscrew.json5:ro`,
          'opscrew-var:/app/var',
        ]),
      );
    }
    expect(readFileSync(join(ROOT, COMPOSE_OVERLAY), 'utf8')).toMatch(
      /^\s*\$include: '\.\/shipped\/opscrew\.json5',$/m,
    );
  });

  it('keeps the shipped config on the embedded defaults (npm run demo, npm start)', () => {
    const { integrations } = loadConfig({ configDir: join(ROOT, 'config'), env: {} }).config;
    expect(integrations.runtime.kind).toBe('process');
    expect(integrations.load.kind).toBe('auto');
    expect(target(integrations.metrics.scrape?.targets.frontend).host).toBe('127.0.0.1');
  });

  it('runs the compose overlay: a valid config with the Docker runtime and Locust in its container', () => {
    const { integrations } = composeConfig.config;
    expect(integrations.runtime.kind).toBe('docker');
    expect(integrations.runtime.docker?.socket_path).toBe('/var/run/docker.sock');
    expect(integrations.load.kind).toBe('locust');
    const locust = target(integrations.load.locust.api_url);
    expect(compose.services[locust.host]?.ports).toEqual([
      `127.0.0.1:${locust.port}:${locust.port}`,
    ]);
    // Locust sends the load to the frontend's container, by its compose service name.
    expect(composeConfig.config.agents.get('demo-controller')?.controller?.load_host).toBe(
      target(integrations.metrics.scrape?.targets.frontend).origin,
    );
  });

  it('runs each shop service in its own container, where the compose config scrapes and restarts it', () => {
    const { integrations, services } = composeConfig.config;
    const targets = integrations.metrics.scrape?.targets ?? {};
    for (const name of SHOP_SERVICE_NAMES) {
      const scraped = target(targets[name]);
      // The scrape target's host is the compose service (its DNS name on the compose network).
      expect([name, scraped.host]).toEqual([name, name]);
      const service = compose.services[name];
      expect(service?.image).toBe('opscrew:local');
      expect(service?.entrypoint).toEqual(['node', 'dist/apps/demo-shop/src/service.main.js']);
      // jira-resolver's Docker runtime finds it by services.watched.<name>.container.
      expect(service?.container_name).toBe(services.watched.get(name)?.container);
      expect(service?.environment).toMatchObject({
        [SERVICE_ENV.service]: name,
        [SERVICE_ENV.host]: '0.0.0.0',
        [SERVICE_ENV.port]: scraped.port,
        [SERVICE_ENV.flagFile]: posix.join(APP_DIR, integrations.flags.flag_file),
      });
      for (const dependency of SHOP_SERVICE_PROFILES[name].dependsOn) {
        expect(service?.environment?.[dependencyEnvName(dependency)]).toBe(
          target(targets[dependency]).origin,
        );
        expect(service?.depends_on?.[dependency]?.condition).toBe('service_started');
      }
      const health = service?.healthcheck?.test.join(' ') ?? '';
      expect(health).toContain("'http://127.0.0.1:'+process.env.PORT+'/health'");
      expect(service?.volumes).toEqual([
        `shop-flags:${posix.dirname(posix.join(APP_DIR, integrations.flags.flag_file))}:ro`,
      ]);
    }
    // Only the frontend is published (for a browser); the backends stay on the compose network.
    expect(compose.services.frontend?.ports).toEqual(['127.0.0.1:7100:7100']);
    for (const name of SHOP_SERVICE_NAMES.filter((n) => n !== 'frontend')) {
      expect([name, compose.services[name]?.ports]).toEqual([name, undefined]);
    }
  });

  it('shares the flag file between demo-controller (writes) and the shop (reads) on a tmpfs volume', () => {
    const flagDir = posix.dirname(
      posix.join(APP_DIR, composeConfig.config.integrations.flags.flag_file),
    );
    expect(compose.services['demo-controller']?.volumes).toContain(`shop-flags:${flagDir}`);
    // Owned by the image's `node` user (uid 1000), or demo-controller could not write it.
    expect(compose.volumes['shop-flags']?.driver_opts).toMatchObject({
      type: 'tmpfs',
      o: expect.stringContaining('uid=1000'),
    });
    // Both sides hold the same token for the shop's fault API.
    expect(compose.services['demo-controller']?.environment?.OPSCREW_SHOP_TOKEN).toBe(
      compose.services.cart?.environment?.OPSCREW_SHOP_TOKEN,
    );
  });

  it('runs Locust with the repository locustfile, loading the frontend container', () => {
    const locust = compose.services.locust;
    expect(locust?.image).toMatch(/^locustio\/locust:/);
    expect(locust?.volumes).toEqual(['./deploy/locust/locustfile.py:/mnt/locust/locustfile.py:ro']);
    expect(locust?.command).toEqual(
      expect.arrayContaining(['-f', '/mnt/locust/locustfile.py', '--host', 'http://frontend:7100']),
    );
    expect(locust?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8089/');
    expect(compose.services['demo-controller']?.depends_on?.locust?.condition).toBe(
      'service_started',
    );
  });

  it('publishes every port on the host loopback only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) {
        expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
      }
    }
  });

  it('gives the Docker socket to jira-resolver only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const hasSocket = (service.volumes ?? []).some((volume) =>
        volume.startsWith('/var/run/docker.sock'),
      );
      expect([name, hasSocket]).toEqual([name, name === 'jira-resolver']);
    }
    expect(compose.services['jira-resolver']?.volumes).toContain(
      '/var/run/docker.sock:/var/run/docker.sock',
    );
    // The image runs as `node`: the socket's group is added (DOCKER_GID, docker-ce's 999 by default).
    expect(compose.services['jira-resolver']?.group_add).toEqual(['${DOCKER_GID:-999}']);
    expect(composeConfig.config.integrations.runtime.kind).toBe('docker');
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
      { encoding: 'utf8', cwd: ROOT, env: { ...process.env, ...COMPOSE_ENV } },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
