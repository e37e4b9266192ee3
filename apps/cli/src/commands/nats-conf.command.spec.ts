import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliIo, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { natsConf } from './nats-conf.command';

const ROOT = join(__dirname, '../../../..');

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe('opscrew nats-conf', () => {
  it('renders exactly the committed deploy/nats/nats.conf for the shipped config (they never drift)', () => {
    const io = captureIo();
    expect(natsConf({ config: join(ROOT, 'config') }, io)).toBe(EXIT_OK);
    const committed = readFileSync(join(ROOT, 'deploy/nats/nats.conf'), 'utf8');
    // On a difference: `npx opscrew nats-conf > deploy/nats/nats.conf` (after a build).
    expect(`${io.stdout.join('\n')}\n`).toBe(committed);
  });

  it('renders exactly the committed deploy/k8s/nats/values.yaml with --helm-values (the same users)', () => {
    const io = captureIo();
    expect(natsConf({ config: join(ROOT, 'config'), helmValues: true }, io)).toBe(EXIT_OK);
    const committed = readFileSync(join(ROOT, 'deploy/k8s/nats/values.yaml'), 'utf8');
    // On a difference: `npx opscrew nats-conf --helm-values > deploy/k8s/nats/values.yaml`.
    expect(`${io.stdout.join('\n')}\n`).toBe(committed);
  });

  it('gives the Helm chart the permissions nats.conf gives each user', () => {
    const conf = captureIo();
    natsConf({ config: join(ROOT, 'config') }, conf);
    const helm = captureIo();
    natsConf({ config: join(ROOT, 'config'), helmValues: true }, helm);
    // Every quoted value holding a dot (subjects; not keys, passwords or sizes), in order.
    const subjects = (out: string[]) =>
      [...out.join('\n').matchAll(/"([^"]+)"(?!\s*:)/g)]
        .map((match) => match[1] ?? '')
        .filter((subject) => subject.includes('.'));
    expect(subjects(helm.stdout).length).toBeGreaterThan(100);
    expect(subjects(helm.stdout)).toEqual(subjects(conf.stdout));
  });

  it('keeps the server settings docker-compose.yml relies on', () => {
    const io = captureIo();
    natsConf({ config: join(ROOT, 'config') }, io);
    const conf = io.stdout.join('\n');
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data\/jetstream/);
    expect(conf).toContain('http: 0.0.0.0:8222');
    expect(conf).toContain('password: $NATS_PASSWORD_OPS_MONITOR');
  });

  it.each(['nats-1', 'nats-2', 'nats-3'])(
    'renders exactly the committed deploy/nats/cluster/%s.conf: the same users, its name, routes to the others',
    (node) => {
      const io = captureIo();
      expect(natsConf({ config: join(ROOT, 'config'), cluster: node }, io)).toBe(EXIT_OK);
      const conf = `${io.stdout.join('\n')}\n`;
      // On a difference: `npx opscrew nats-conf --cluster <node> > deploy/nats/cluster/<node>.conf`.
      expect(conf).toBe(readFileSync(join(ROOT, `deploy/nats/cluster/${node}.conf`), 'utf8'));
      const single = readFileSync(join(ROOT, 'deploy/nats/nats.conf'), 'utf8');
      // One source for the users: the authorization block is the single server's, byte for byte.
      expect(conf.slice(conf.indexOf('authorization {'))).toBe(
        single.slice(single.indexOf('authorization {')),
      );
      expect(conf).toContain(`server_name: ${node}\n`);
      const routes = [...conf.matchAll(/"nats-route:\/\/([a-z0-9-]+):6222"/g)].map((m) => m[1]);
      expect(routes).toEqual(['nats-1', 'nats-2', 'nats-3'].filter((other) => other !== node));
      expect(conf).toMatch(/cluster \{\n {2}name: "opscrew"\n {2}listen: 0\.0\.0\.0:6222\n/);
      expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data\/jetstream/);
    },
  );

  it('exits 2 naming the nodes when --cluster names none of them', () => {
    const io = captureIo();
    expect(natsConf({ config: join(ROOT, 'config'), cluster: 'nats-4' }, io)).toBe(EXIT_INVALID);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([
      'opscrew nats-conf: --cluster nats-4: not a node (nodes: nats-1, nats-2, nats-3)',
    ]);
  });

  it('exits 2 with the config errors when the config is invalid', () => {
    const io = captureIo();
    expect(natsConf({ config: join(ROOT, 'does-not-exist') }, io)).toBe(EXIT_INVALID);
    expect(io.stdout).toEqual([]);
    expect(io.stderr.join('\n')).toMatch(/config INVALID/);
  });
});
