import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serverList } from '@opscrew/agent-core';
import { loadConfig } from '@opscrew/config';
import { BUS_USERS, natsPasswordVariable } from '@opscrew/messaging';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..');
const NODES = ['nats-1', 'nats-2', 'nats-3'];
/** The compose service of each node: node 1 keeps the single server's name (depends_on use it). */
const SERVICE_OF: Record<string, string> = {
  'nats-1': 'nats',
  'nats-2': 'nats-2',
  'nats-3': 'nats-3',
};
/** Every process of the crew: each talks to the bus. */
const CREW = ['provision', 'atlas', 'ops-monitor', 'jira-resolver', 'demo-controller', 'cli'];

interface Service {
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  networks?: Record<string, { aliases?: string[] }>;
  healthcheck?: { test: string[] };
}

interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function read(file: string): ComposeFile {
  return parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile;
}

/** `a:/data` → `/data`: compose merges volume lists by their mount path. */
function mountPath(volume: string): string {
  return volume.split(':')[1] ?? volume;
}

/**
 * Compose's override rules for the keys used here: environment, depends_on and healthcheck
 * merge key by key, volumes by mount path, ports add up, anything else is replaced.
 */
function overlay(base: ComposeFile, top: ComposeFile): ComposeFile {
  const services: Record<string, Service> = {};
  for (const name of new Set([...Object.keys(base.services), ...Object.keys(top.services)])) {
    const a = base.services[name] ?? {};
    const b = top.services[name] ?? {};
    const volumes = new Map<string, string>();
    for (const volume of [...(a.volumes ?? []), ...(b.volumes ?? [])]) {
      volumes.set(mountPath(volume), volume);
    }
    services[name] = {
      ...a,
      ...b,
      environment: { ...a.environment, ...b.environment },
      depends_on: { ...a.depends_on, ...b.depends_on },
      ...(a.healthcheck || b.healthcheck
        ? { healthcheck: { ...a.healthcheck, ...b.healthcheck } as { test: string[] } }
        : {}),
      volumes: [...volumes.values()],
      ports: [...(a.ports ?? []), ...(b.ports ?? [])],
    };
  }
  return { services, volumes: { ...base.volumes, ...top.volumes } };
}

/** A node's config as its container reads it: the file named by `-c /etc/nats/cluster/<node>.conf`. */
function nodeConf(service: Service | undefined): { file: string; text: string } {
  const [flag, path] = service?.command ?? [];
  expect(flag).toBe('-c');
  const match = /^\/etc\/nats\/cluster\/(nats-\d)\.conf$/.exec(path ?? '');
  expect(match).not.toBeNull();
  const file = `deploy/nats/cluster/${match?.[1] ?? ''}.conf`;
  return { file, text: readFileSync(join(ROOT, file), 'utf8') };
}

/** The names a node answers to on the compose network: its service name and aliases. */
function hostNames(service: string, composed: ComposeFile): string[] {
  return [service, ...(composed.services[service]?.networks?.['default']?.aliases ?? [])];
}

describe('deploy/compose/nats-cluster.yml: the crew on three NATS nodes', () => {
  const cluster = overlay(
    overlay(read('docker-compose.yml'), read('docker-compose.override.yml')),
    read('deploy/compose/nats-cluster.yml'),
  );

  it('runs three nodes, each from the NATS image with its own generated config and server_name', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy/images/nats/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^COPY deploy\/nats\/cluster\/ \/etc\/nats\/cluster\/$/m);
    for (const node of NODES) {
      const service = cluster.services[SERVICE_OF[node] ?? ''];
      const { file, text } = nodeConf(service);
      expect(file).toBe(`deploy/nats/cluster/${node}.conf`);
      expect(text).toContain(`server_name: ${node}\n`);
      expect(text).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data\/jetstream/);
      // Every node checks every user's password: all of them, from .env.
      for (const user of BUS_USERS) {
        expect(service?.environment?.[natsPasswordVariable(user)]).toMatch(
          new RegExp(`^\\$\\{${natsPasswordVariable(user)}:\\?`),
        );
        expect(text).toContain(`password: $${natsPasswordVariable(user)}\n`);
      }
      // Healthy only with a meta leader (provision makes three-copy streams right after).
      expect(service?.healthcheck?.test.join(' ')).toMatch(/\/healthz$/);
    }
  });

  it('routes every node to exactly the other two by names the compose network resolves', () => {
    const names = NODES.map((node) => {
      const text = nodeConf(cluster.services[SERVICE_OF[node] ?? '']).text;
      expect(text).toMatch(/cluster \{\n {2}name: "opscrew"\n {2}listen: 0\.0\.0\.0:6222\n/);
      const routes = [...text.matchAll(/"nats-route:\/\/([a-z0-9-]+):(\d+)"/g)];
      expect(routes.map((route) => route[2])).toEqual(['6222', '6222']);
      return { node, routes: routes.map((route) => route[1] ?? '') };
    });
    for (const { node, routes } of names) {
      const others = NODES.filter((other) => other !== node);
      expect(routes).toHaveLength(others.length);
      for (const [i, other] of others.entries()) {
        expect(hostNames(SERVICE_OF[other] ?? '', cluster)).toContain(routes[i]);
      }
    }
  });

  it('gives each node its own volume at /data, declared at the top level', () => {
    const volumes = NODES.map((node) => cluster.services[SERVICE_OF[node] ?? '']?.volumes ?? []);
    for (const mounts of volumes) expect(mounts.map(mountPath)).toEqual(['/data']);
    const names = volumes.map((mounts) => (mounts[0] ?? '').split(':')[0] ?? '');
    expect(new Set(names).size).toBe(NODES.length);
    for (const name of names) expect(cluster.volumes).toHaveProperty(name);
  });

  it('publishes client ports on the host loopback only and never the route port', () => {
    for (const [name, service] of Object.entries(cluster.services)) {
      for (const port of service.ports ?? []) {
        expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
        expect([name, port]).not.toEqual([name, expect.stringMatching(/:6222$/)]);
      }
    }
    const published = NODES.flatMap(
      (node) => cluster.services[SERVICE_OF[node] ?? '']?.ports ?? [],
    );
    expect(new Set(published.map((port) => port.split(':')[1])).size).toBe(NODES.length);
  });

  describe('the crew', () => {
    const configDir = mkdtempSync(join(tmpdir(), 'opscrew-cluster-config-'));
    afterAll(() => rmSync(configDir, { recursive: true, force: true }));
    beforeAll(() => {
      // The image's /app/compose: the shipped config as shipped/, the compose entries beside it.
      cpSync(join(ROOT, 'config'), join(configDir, 'shipped'), { recursive: true });
      for (const file of readdirSync(join(ROOT, 'deploy/compose/config'))) {
        copyFileSync(join(ROOT, 'deploy/compose/config', file), join(configDir, file));
      }
    });

    it('lists all three nodes in every process’s NATS_URL, one nats.js server each, and waits for them', () => {
      for (const name of CREW) {
        const service = cluster.services[name];
        const servers = serverList([service?.environment?.['NATS_URL'] ?? '']);
        expect([name, servers.map((url) => new URL(url).hostname)]).toEqual([name, NODES]);
        for (const url of servers) {
          const host = new URL(url).hostname;
          expect(new URL(url).port).toBe('4222');
          const node = NODES.find((candidate) => candidate === host) ?? '';
          expect(hostNames(SERVICE_OF[node] ?? '', cluster)).toContain(host);
        }
        for (const node of NODES) {
          expect([name, service?.depends_on?.[SERVICE_OF[node] ?? '']]).toEqual([
            name,
            { condition: 'service_healthy' },
          ]);
        }
      }
    });

    it('provisions every stream and bucket at three copies, as admin', () => {
      const provision = cluster.services['provision'];
      const entry = (provision?.environment?.['OPSCREW_CONFIG'] ?? '').replace('/app/compose/', '');
      expect(existsSync(join(configDir, entry))).toBe(true);
      const { bus } = loadConfig({
        configDir: join(configDir, entry),
        env: {
          NATS_URL: provision?.environment?.['NATS_URL'] ?? '',
          NATS_PASSWORD_ADMIN: 'testAdmin',
        },
      }).config;
      expect(bus.replicas).toBe(3);
      expect(bus.user).toBe('admin');
      expect(serverList(bus.servers)).toHaveLength(NODES.length);
    });
  });
});
