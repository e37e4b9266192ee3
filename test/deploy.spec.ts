import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { ConfigError, type LoadedConfig, loadConfig } from '@opscrew/config';
import { parse } from 'yaml';
import { dependencyEnvName, SERVICE_ENV } from '../apps/demo-shop/src/service-env';
import {
  SHOP_SERVICE_NAMES,
  SHOP_SERVICE_PROFILES,
} from '../apps/demo-shop/src/shop-service.profiles';

const ROOT = resolve(__dirname, '..');
/** The compose stack's config entries: one per agent and the CLI, over common.json5. */
const COMPOSE_CONFIG_DIR = 'deploy/compose/config';
/** Where the image keeps them (Dockerfile: COPY config compose/shipped, COPY deploy/compose/config/ compose/). */
const IMAGE_CONFIG_DIR = '/app/compose';
/** Where the image keeps the project (its WORKDIR): relative config paths resolve against it. */
const APP_DIR = '/app';
const APP_IMAGE = '${OPSCREW_IMAGE:-opscrew:local}';

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  container_name?: string;
  group_add?: string[];
  labels?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
  extra_hosts?: string[];
  profiles?: string[];
  restart?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, { driver_opts?: Record<string, string> } | null>;
}

function readCompose(file: string): ComposeFile {
  return parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * Compose's override rules for the keys these files use: maps (environment, healthcheck,
 * build) merge key by key, lists of ports, volumes and extra hosts add up, anything else is
 * replaced. `docker-compose config` (below, when installed) checks the files themselves.
 */
function overlay(base: ComposeFile, override: ComposeFile): ComposeFile {
  const services: Record<string, ComposeService> = {};
  for (const name of new Set([...Object.keys(base.services), ...Object.keys(override.services)])) {
    const a = base.services[name] ?? {};
    const b = override.services[name] ?? {};
    services[name] = {
      ...a,
      ...b,
      ...(a.environment || b.environment
        ? { environment: { ...a.environment, ...b.environment } }
        : {}),
      ...(a.healthcheck || b.healthcheck
        ? { healthcheck: { ...a.healthcheck, ...b.healthcheck } as { test: string[] } }
        : {}),
      ...(a.ports || b.ports ? { ports: [...(a.ports ?? []), ...(b.ports ?? [])] } : {}),
      ...(a.extra_hosts || b.extra_hosts
        ? { extra_hosts: [...(a.extra_hosts ?? []), ...(b.extra_hosts ?? [])] }
        : {}),
    };
  }
  return { ...base, services };
}

/**
 * Compose interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?message}` with `env`:
 * what the container actually receives. A missing mandatory variable throws compose's message.
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g,
    (_match, name: string, op?: string, arg?: string) => {
      const given = env[name];
      if (given !== undefined && given !== '') return given;
      if (op === ':?') throw new Error(`missing ${name}: ${arg ?? ''}`);
      return op === ':-' ? (arg ?? '') : '';
    },
  );
}

function containerEnv(
  service: ComposeService,
  env: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(String(value), env),
    ]),
  );
}

/** What .env gives docker-compose (test values: the files carry no default secrets). */
const COMPOSE_ENV: Record<string, string> = {
  NATS_PASSWORD_ATLAS: 'testAtlas',
  NATS_PASSWORD_OPS_MONITOR: 'testOpsMonitor',
  NATS_PASSWORD_JIRA_RESOLVER: 'testJiraResolver',
  NATS_PASSWORD_DEMO_CONTROLLER: 'testDemoController',
  NATS_PASSWORD_CLI: 'testCli',
  NATS_PASSWORD_REPORTER: 'testReporter',
  NATS_PASSWORD_ADMIN: 'testAdmin',
  OPSCREW_API_TOKEN: 'test-api-token-for-compose',
  OPSCREW_SHOP_TOKEN: 'test-shop-token-for-compose',
};

const NATS_PASSWORD_VARS = Object.keys(COMPOSE_ENV).filter((name) =>
  name.startsWith('NATS_PASSWORD_'),
);

/** The image's /app/compose, assembled in a temp folder: the shipped config as shipped/, the entries beside it. */
function composeConfigRoot(dir: string): string {
  cpSync(join(ROOT, 'config'), join(dir, 'shipped'), { recursive: true });
  for (const file of readdirSync(join(ROOT, COMPOSE_CONFIG_DIR))) {
    copyFileSync(join(ROOT, COMPOSE_CONFIG_DIR, file), join(dir, file));
  }
  return dir;
}

/** `http://cart:7102/metrics` → host `cart`, port 7102, origin `http://cart:7102`. */
function target(url: string | undefined): { host: string; port: string; origin: string } {
  const parsed = new URL(url ?? 'missing:');
  return { host: parsed.hostname, port: parsed.port, origin: parsed.origin };
}

/** The entry file a service's container loads (`/app/compose/atlas.json5` → `atlas.json5`). */
function entryOf(service: ComposeService | undefined): string {
  const configPath = service?.environment?.OPSCREW_CONFIG ?? '';
  expect(configPath.startsWith(`${IMAGE_CONFIG_DIR}/`)).toBe(true);
  return posix.relative(IMAGE_CONFIG_DIR, configPath);
}

/**
 * No registry is reachable here, so the compose files are validated by parsing them (and by
 * `docker-compose config` when the binary is installed); test/compose.e2e-spec.ts runs them.
 */
describe('deployment files', () => {
  const base = readCompose('docker-compose.yml');
  const bridge = overlay(base, readCompose('docker-compose.override.yml'));
  const host = overlay(base, readCompose('deploy/compose/host-network.yml'));
  const configDir = mkdtempSync(join(tmpdir(), 'opscrew-compose-config-'));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));
  let root: string;
  beforeAll(() => {
    root = composeConfigRoot(configDir);
  });

  /** An entry loaded with exactly the environment its container receives. */
  function loadAs(service: string, variant: ComposeFile = bridge): LoadedConfig {
    const composed = variant.services[service];
    return loadConfig({
      configDir: join(root, entryOf(composed)),
      env: containerEnv(composed ?? {}, COMPOSE_ENV),
    });
  }

  describe('each container gets exactly the secrets its own config references', () => {
    it.each([...AGENT_NAMES, 'cli', 'provision'])(
      '%s starts with the variables compose gives it, and no other container’s password',
      (name) => {
        // Loads with exactly what its container receives (loadAs throws on a missing variable)…
        const loaded = loadAs(name);
        const env = containerEnv(bridge.services[name] ?? {}, COMPOSE_ENV);
        // …and receives no secret its config does not reference: least privilege per container.
        const secretsGiven = Object.keys(env).filter((v) => v in COMPOSE_ENV);
        for (const variable of secretsGiven) {
          expect([name, variable, loaded.variables.includes(variable)]).toEqual([
            name,
            variable,
            true,
          ]);
        }
        // One NATS password per container, its own.
        const passwords = secretsGiven.filter((v) => NATS_PASSWORD_VARS.includes(v));
        const user = name === 'provision' ? 'admin' : name;
        expect(passwords).toEqual([`NATS_PASSWORD_${user.replace(/-/g, '_').toUpperCase()}`]);
      },
    );

    it('provisions once, as admin, before any agent: the only container with the admin password', () => {
      const provision = bridge.services.provision;
      expect(provision?.image).toBe(APP_IMAGE);
      expect(provision?.command).toEqual(['bus', 'provision']);
      expect(provision?.restart).toBe('no');
      expect(provision?.depends_on?.nats?.condition).toBe('service_healthy');
      expect(provision?.environment?.OPSCREW_CONFIG).toBe(`${IMAGE_CONFIG_DIR}/provision.json5`);
      const loaded = loadAs('provision');
      expect([loaded.config.bus.user, loaded.config.bus.password]).toEqual([
        'admin',
        COMPOSE_ENV.NATS_PASSWORD_ADMIN,
      ]);
      for (const name of [...AGENT_NAMES, 'cli']) {
        const service = bridge.services[name];
        expect([name, service?.depends_on?.provision?.condition]).toEqual([
          name,
          'service_completed_successfully',
        ]);
        expect([name, 'NATS_PASSWORD_ADMIN' in containerEnv(service ?? {}, COMPOSE_ENV)]).toEqual([
          name,
          false,
        ]);
      }
      // Shipped agents verify the topology rather than make it.
      expect(loadAs('atlas').config.bus.provision).toBe('verify');
      expect(containerEnv(host.services.provision ?? {}, COMPOSE_ENV).NATS_URL).toBe(
        'nats://nats:14222',
      );
    });

    it.each(AGENT_NAMES)('%s authenticates to NATS as itself', (agent: AgentName) => {
      const loaded = loadAs(agent);
      expect(loaded.config.agents.get(agent)?.bus_auth).toEqual({
        user: agent,
        password: COMPOSE_ENV[`NATS_PASSWORD_${agent.replace(/-/g, '_').toUpperCase()}`],
      });
    });

    it('stops an agent whose password is missing, naming the variable and where it is used', () => {
      const env = containerEnv(bridge.services.atlas ?? {}, COMPOSE_ENV);
      delete env.NATS_PASSWORD_ATLAS;
      let lines: string[] = [];
      try {
        loadConfig({ configDir: join(root, 'atlas.json5'), env });
      } catch (error) {
        if (error instanceof ConfigError) lines = error.lines();
      }
      expect(lines).toEqual([
        'atlas.json5: agents.atlas.bus_auth.password: Missing env var "NATS_PASSWORD_ATLAS" referenced at config path: agents.atlas.bus_auth.password',
      ]);
    });

    it('makes compose refuse to start without a secret, naming it', () => {
      expect(() => containerEnv(bridge.services.atlas ?? {}, {})).toThrow(
        /missing NATS_PASSWORD_ATLAS: set NATS_PASSWORD_ATLAS in \.env/,
      );
      expect(() => containerEnv(bridge.services.nats ?? {}, {})).toThrow(/missing NATS_PASSWORD_/);
    });

    it('gives NATS every user’s password (it checks them) and nothing else secret', () => {
      const env = containerEnv(bridge.services.nats ?? {}, COMPOSE_ENV);
      expect(Object.keys(env).sort()).toEqual([...NATS_PASSWORD_VARS].sort());
      const conf = readFileSync(join(ROOT, 'deploy/nats/nats.conf'), 'utf8');
      for (const variable of NATS_PASSWORD_VARS) expect(conf).toContain(`$${variable}`);
    });
  });

  it('runs NATS with JetStream on a volume, its config in its image', () => {
    const nats = base.services.nats;
    expect(nats?.image).toBe('${OPSCREW_NATS_IMAGE:-opscrew-nats:local}');
    expect(nats?.build?.dockerfile).toBe('deploy/images/nats/Dockerfile');
    expect(nats?.build?.args?.NATS_IMAGE).toBe('${OPSCREW_NATS_BASE_IMAGE:-nats:2.10-alpine}');
    expect(nats?.volumes).toEqual(['nats-data:/data']);
    expect(nats?.healthcheck?.test.join(' ')).toContain('js-enabled-only=true');
    const conf = readFileSync(join(ROOT, 'deploy/nats/nats.conf'), 'utf8');
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data\/jetstream/);
    const dockerfile = readFileSync(join(ROOT, 'deploy/images/nats/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NATS_IMAGE=nats:2\.10-alpine$/m);
    expect(dockerfile).toMatch(
      /^COPY deploy\/nats\/nats\.conf deploy\/nats\/nats-host-network\.conf \/etc\/nats\/$/m,
    );
  });

  it('runs each agent from the one image with its own config entry, after NATS is healthy', () => {
    const shipped = loadConfig({ configDir: join(ROOT, 'config'), env: {} });
    for (const agent of AGENT_NAMES) {
      const service = bridge.services[agent];
      const port = shipped.config.agents.get(agent)?.port;
      expect(service?.image).toBe(APP_IMAGE);
      expect(service?.command).toEqual(['start', agent]);
      expect(service?.depends_on?.nats?.condition).toBe('service_healthy');
      expect(service?.environment?.OPSCREW_CONFIG).toBe(`${IMAGE_CONFIG_DIR}/${agent}.json5`);
      // bash's /dev/tcp, not a Node.js process: fast on a loaded host.
      expect(service?.healthcheck?.test).toEqual(['CMD', 'opscrew-healthcheck', String(port)]);
      expect(service?.ports).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(service?.environment).toMatchObject({
        NATS_URL: 'nats://nats:4222',
        OPSCREW_HTTP_HOST: '0.0.0.0',
      });
      expect(loadAs(agent).config.agents.get(agent)?.port).toBe(port);
    }
    for (const file of readdirSync(join(ROOT, COMPOSE_CONFIG_DIR)).filter(
      (f) => f !== 'common.json5',
    )) {
      expect([file, readFileSync(join(ROOT, COMPOSE_CONFIG_DIR, file), 'utf8')]).toEqual([
        file,
        expect.stringMatching(/^\s*\$include: '\.\/common\.json5',$/m),
      ]);
    }
    expect(readFileSync(join(ROOT, COMPOSE_CONFIG_DIR, 'common.json5'), 'utf8')).toMatch(
      /^\s*\$include: '\.\/shipped\/opscrew\.json5',$/m,
    );
  });

  it('keeps the shipped config on the embedded defaults (npm run demo, npm start)', () => {
    const { integrations } = loadConfig({ configDir: join(ROOT, 'config'), env: {} }).config;
    expect(integrations.runtime.kind).toBe('process');
    expect(integrations.load.kind).toBe('auto');
    expect(target(integrations.metrics.scrape?.targets.frontend).host).toBe('127.0.0.1');
  });

  it('runs the compose config: the Docker runtime and Locust in its container', () => {
    const { integrations, agents } = loadAs('demo-controller').config;
    expect(integrations.runtime.kind).toBe('docker');
    expect(integrations.runtime.docker?.socket_path).toBe('/var/run/docker.sock');
    expect(integrations.load.kind).toBe('locust');
    const locust = target(integrations.load.locust.api_url);
    expect(bridge.services[locust.host]?.ports).toEqual([
      `127.0.0.1:${locust.port}:${locust.port}`,
    ]);
    // Locust sends the load to the frontend's container, by its compose service name.
    expect(agents.get('demo-controller')?.controller?.load_host).toBe(
      target(integrations.metrics.scrape?.targets.frontend).origin,
    );
  });

  it('runs each shop service in its own container, where the compose config scrapes and restarts it', () => {
    const { integrations, services } = loadAs('jira-resolver').config;
    const targets = integrations.metrics.scrape?.targets ?? {};
    for (const name of SHOP_SERVICE_NAMES) {
      const scraped = target(targets[name]);
      // The scrape target's host is the compose service (its DNS name on the compose network).
      expect([name, scraped.host]).toEqual([name, name]);
      const service = bridge.services[name];
      expect(service?.image).toBe(APP_IMAGE);
      expect(service?.entrypoint).toEqual(['node', 'dist/apps/demo-shop/src/service.main.js']);
      // jira-resolver's Docker runtime finds it by services.watched.<name>.container.
      expect(interpolate(service?.container_name ?? '', {})).toBe(
        services.watched.get(name)?.container,
      );
      expect(containerEnv(service ?? {}, COMPOSE_ENV)).toMatchObject({
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
      // opscrew-healthcheck reads the service's PORT.
      expect(service?.healthcheck?.test).toEqual(['CMD', 'opscrew-healthcheck']);
      expect(service?.volumes).toEqual([
        `shop-flags:${posix.dirname(posix.join(APP_DIR, integrations.flags.flag_file))}:ro`,
      ]);
    }
    // Only the frontend is published (for a browser); the backends stay on the compose network.
    expect(bridge.services.frontend?.ports).toEqual(['127.0.0.1:7100:7100']);
    for (const name of SHOP_SERVICE_NAMES.filter((n) => n !== 'frontend')) {
      expect([name, bridge.services[name]?.ports]).toEqual([name, undefined]);
    }
  });

  it('names the shop containers after the stack, and the config restarts those names', () => {
    const env = { ...COMPOSE_ENV, OPSCREW_STACK: 'staging' };
    const loaded = loadConfig({
      configDir: join(root, 'jira-resolver.json5'),
      env: containerEnv(bridge.services['jira-resolver'] ?? {}, env),
    });
    for (const name of SHOP_SERVICE_NAMES) {
      expect(interpolate(bridge.services[name]?.container_name ?? '', env)).toBe(`staging-${name}`);
      expect(loaded.config.services.watched.get(name)?.container).toBe(`staging-${name}`);
    }
  });

  it('shares the flag file between demo-controller (writes) and the shop (reads) on a tmpfs volume', () => {
    const flagDir = posix.dirname(
      posix.join(APP_DIR, loadAs('demo-controller').config.integrations.flags.flag_file),
    );
    expect(bridge.services['demo-controller']?.volumes).toContain(`shop-flags:${flagDir}`);
    // Owned by the image's `node` user (uid 1000), or demo-controller could not write it.
    expect(base.volumes?.['shop-flags']?.driver_opts).toMatchObject({
      type: 'tmpfs',
      o: expect.stringContaining('uid=1000'),
    });
    // Both sides hold the same token for the shop's fault API.
    expect(bridge.services['demo-controller']?.environment?.OPSCREW_SHOP_TOKEN).toBe(
      bridge.services.cart?.environment?.OPSCREW_SHOP_TOKEN,
    );
  });

  it('runs Locust with the repository locustfile in its image, loading the frontend container', () => {
    const locust = bridge.services.locust;
    expect(locust?.image).toBe('${OPSCREW_LOCUST_IMAGE:-opscrew-locust:local}');
    expect(locust?.build?.args?.LOCUST_IMAGE).toBe(
      '${OPSCREW_LOCUST_BASE_IMAGE:-locustio/locust:2.12.1}',
    );
    expect(locust?.command).toEqual(
      expect.arrayContaining(['-f', '/mnt/locust/locustfile.py', '--host', 'http://frontend:7100']),
    );
    expect(locust?.healthcheck?.test).toEqual([
      'CMD',
      'opscrew-healthcheck',
      '8089',
      '/stats/requests',
    ]);
    expect(bridge.services['demo-controller']?.depends_on?.locust?.condition).toBe(
      'service_started',
    );
  });

  it('publishes every port on the host loopback only (bridge variant)', () => {
    for (const [name, service] of Object.entries(bridge.services)) {
      for (const port of service.ports ?? []) {
        expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
      }
    }
    // The shared file publishes nothing: the host-network variant could not take it back.
    for (const [name, service] of Object.entries(base.services)) {
      expect([name, service.ports]).toEqual([name, undefined]);
    }
  });

  describe('the host-network variant', () => {
    it('puts every container on the host network with its peers’ names on 127.0.0.1', () => {
      // The names containers reach each other by (the config's scrape targets, URLs, NATS).
      const names = ['nats', 'locust', ...SHOP_SERVICE_NAMES];
      for (const [name, service] of Object.entries(host.services)) {
        expect([name, service.network_mode, service.ports]).toEqual([name, 'host', undefined]);
        expect([name, [...(service.extra_hosts ?? [])].sort()]).toEqual([
          name,
          names.map((peer) => `${peer}:127.0.0.1`).sort(),
        ]);
      }
    });

    it('binds every service to 127.0.0.1 and keeps the stack’s NATS off 4222', () => {
      for (const agent of AGENT_NAMES) {
        const env = containerEnv(host.services[agent] ?? {}, COMPOSE_ENV);
        expect([agent, env.OPSCREW_HTTP_HOST, env.NATS_URL]).toEqual([
          agent,
          '127.0.0.1',
          'nats://nats:14222',
        ]);
        expect(loadAs(agent, host).config.bus.servers).toEqual(['nats://nats:14222']);
      }
      for (const name of SHOP_SERVICE_NAMES) {
        expect([name, host.services[name]?.environment?.[SERVICE_ENV.host]]).toEqual([
          name,
          '127.0.0.1',
        ]);
      }
      expect(host.services.locust?.command).toEqual(
        expect.arrayContaining(['--web-host', '127.0.0.1']),
      );
      const nats = host.services.nats;
      expect(nats?.command).toEqual(['-c', '/etc/nats/nats-host-network.conf']);
      expect(containerEnv(nats ?? {}, COMPOSE_ENV)).toMatchObject({
        OPSCREW_NATS_LISTEN: '127.0.0.1:14222',
        OPSCREW_NATS_MONITOR: '127.0.0.1:18222',
      });
      expect(interpolate(nats?.healthcheck?.test.join(' ') ?? '', {})).toContain(
        'http://127.0.0.1:18222/healthz',
      );
      const conf = readFileSync(join(ROOT, 'deploy/nats/nats-host-network.conf'), 'utf8');
      expect(conf).toMatch(/^include \.\/nats\.conf$/m);
      // The keys nats.conf sets, set again (never host/port beside listen: either could win).
      expect(conf).toMatch(/^listen: \$OPSCREW_NATS_LISTEN$/m);
      expect(conf).not.toMatch(/^(host|port):/m);
      expect(conf).toMatch(/^http: \$OPSCREW_NATS_MONITOR$/m);
    });
  });

  it('gives the Docker socket to jira-resolver (the shop) and atlas (the crew) only', () => {
    const withSocket = ['jira-resolver', 'atlas'];
    for (const [name, service] of Object.entries(bridge.services)) {
      const hasSocket = (service.volumes ?? []).some((volume) =>
        volume.startsWith('/var/run/docker.sock'),
      );
      expect([name, hasSocket]).toEqual([name, withSocket.includes(name)]);
    }
    // The image runs as `node`: the socket's group is added (DOCKER_GID, docker-ce's 999 by default).
    for (const name of withSocket) {
      expect(bridge.services[name]?.group_add).toEqual(['${DOCKER_GID:-999}']);
    }
    expect(loadAs('jira-resolver').config.integrations.runtime.kind).toBe('docker');
    expect(loadAs('atlas').config.agents.get('atlas')?.liveness?.runtime.kind).toBe('docker');
  });

  it('labels each crew agent container opscrew.agent=<agent>: what atlas restarts, nothing else', () => {
    for (const agent of ['atlas', 'ops-monitor', 'jira-resolver', 'demo-controller']) {
      expect(bridge.services[agent]?.labels).toEqual({ 'opscrew.agent': agent });
    }
    const labelled = Object.entries(bridge.services).filter(
      ([, service]) => service.labels?.['opscrew.agent'] !== undefined,
    );
    expect(labelled.map(([name]) => name).sort()).toEqual([
      'atlas',
      'demo-controller',
      'jira-resolver',
      'ops-monitor',
    ]);
  });

  describe('the crew image (Dockerfile)', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const [buildStage = '', runtimeStage = ''] = dockerfile
      .split(/^FROM \$\{NODE_IMAGE\}.*$/m)
      .slice(1);

    it('builds from a base image given as a build argument, the official one by default', () => {
      expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
      expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\}/gm)).toHaveLength(2);
      expect(base.services.atlas?.build?.args?.NODE_IMAGE).toBe(
        '${OPSCREW_NODE_BASE_IMAGE:-node:20-bookworm-slim}',
      );
    });

    it('fails the build when npm ci did not install, and keeps the extra CA out of the runtime image', () => {
      expect(buildStage).toMatch(/^RUN opscrew-npm-ci$/m);
      expect(buildStage).toContain('COPY deploy/images/extra-ca/ /tmp/extra-ca/');
      expect(runtimeStage).not.toContain('extra-ca');
      expect(runtimeStage).not.toContain('npm ci');
      const script = readFileSync(join(ROOT, 'deploy/images/npm-ci.sh'), 'utf8');
      expect(script).toContain('Exit handler never called');
      expect(script).toContain('npm ls --all');
    });

    it('runs as the non-root node user without dev dependencies, the CLI as entrypoint', () => {
      expect(runtimeStage).toMatch(/^USER node$/m);
      expect(buildStage).toMatch(/npm prune --omit=dev/);
      expect(runtimeStage).toMatch(/^ENTRYPOINT \["node", "bin\/opscrew\.js"\]$/m);
      expect(runtimeStage).toContain('COPY config compose/shipped');
      expect(runtimeStage).toContain('COPY deploy/compose/config/ compose/');
    });

    it('keeps secrets, build outputs and tests out of the build context', () => {
      const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
      for (const entry of ['.env', 'node_modules', 'dist', 'var', '.git', 'test', '**/testing']) {
        expect(ignored).toContain(entry);
      }
    });
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  (dockerCompose.status === 0 ? it : it.skip).each([
    ['bridge', ['-f', 'docker-compose.yml', '-f', 'docker-compose.override.yml']],
    ['host-network', ['-f', 'docker-compose.yml', '-f', 'deploy/compose/host-network.yml']],
  ])('passes docker-compose config (%s variant)', (_variant, files) => {
    const result = spawnSync('docker-compose', [...files, 'config', '-q'], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { ...process.env, ...COMPOSE_ENV },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
