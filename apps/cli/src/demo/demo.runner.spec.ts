import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@opscrew/integrations';
import { EXIT_FAILURE, EXIT_INVALID } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { runDemo } from './demo.runner';

const REPO_ROOT = resolve(__dirname, '../../../..');

describe('opscrew demo: where it listens', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'opscrew-demo-runner-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  const demo = (ports: Parameters<typeof runDemo>[0]['ports'], io: RecordingIo) =>
    runDemo(
      {
        repoRoot: REPO_ROOT,
        bin: join(REPO_ROOT, 'bin/opscrew.js'),
        outDir: out,
        builtinLoad: true,
        ports,
      },
      io,
    );

  it('exits 2 on port options that make no plan, naming each, before starting anything', async () => {
    const io = new RecordingIo();
    expect(await demo({ agentPorts: 'x', shopPorts: '65530' }, io)).toBe(EXIT_INVALID);
    expect(io.stderr).toEqual([
      'demo: --agent-ports must be a port number 1..65535, got "x"',
      'demo: --shop-ports 65530: needs 9 ports from there, up to 65538, above 65535',
      'demo: --shop-ports 65530: the supervisor would get port 65620 (base + 90), above 65535; give it one with --supervisor-port PORT',
    ]);
    expect(io.stdout).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  });

  describe('with an agent port already taken', () => {
    let held: Server;
    afterEach(async () => {
      await new Promise<void>((done) => held.close(() => done()));
    });

    it('exits 1 naming the port, its owner and the option that moves it; nothing started', async () => {
      const atlasPort = await freePort();
      held = createServer();
      await new Promise<void>((done) => held.listen(atlasPort, '127.0.0.1', done));
      const io = new RecordingIo();
      const code = await demo(
        { agentPorts: String(atlasPort), shopPorts: String(await freePort()) },
        io,
      );
      expect(code).toBe(EXIT_FAILURE);
      // Other ports of the plan are free as far as this test knows; atlas's surely is not.
      expect(io.stderr).toContain(
        `demo: port ${atlasPort} (atlas) on 127.0.0.1 is already in use — use --agent-ports BASE (or --free-ports)`,
      );
      // Refused before the overlay was written, the bus touched or a child spawned.
      const [runDir] = readdirSync(out);
      expect(runDir).toBeDefined();
      expect(existsSync(join(out, runDir ?? '', 'config'))).toBe(false);
      expect(existsSync(join(out, runDir ?? '', 'logs'))).toBe(false);
    });
  });
});
