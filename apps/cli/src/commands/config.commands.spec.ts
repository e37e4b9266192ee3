import { ConfigFixture, SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { EXIT_INVALID, EXIT_OK } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { configCheck, configPrint } from './config.commands';

/** Built at run time: no secret-shaped literal in the source. */
const INLINE_PASSWORD = ['inl1ne', 'Passw0rd'].join('');

describe('opscrew config check / print', () => {
  it('check: exits 0 with a one-line summary for the shipped config', () => {
    const io = new RecordingIo();
    expect(configCheck({ config: SHIPPED_CONFIG_DIR }, io)).toBe(EXIT_OK);
    expect(io.stdout).toHaveLength(1);
    expect(io.stdout[0]).toMatch(
      /^config OK: .*config — \d+ files, 4 agents, 15 services watched \(11 protected\), 6 runbooks, 12 scenarios, metrics: scrape, tracker: local, notifier: console, runtime: process$/,
    );
    expect(io.stderr).toEqual([]);
  });

  describe('with a broken config', () => {
    let fixture: ConfigFixture;
    beforeEach(() => {
      fixture = ConfigFixture.shipped();
      fixture.patch(
        'project/thresholds/escalation.json5',
        'timeout_minutes: 30,',
        'timeout_minutes: 0,',
      );
      fixture.patch('agents/atlas.json5', 'port: 3000,', 'port: 3000, colour: "blue",');
    });
    afterEach(() => fixture.remove());

    it('check: exits 2 and prints every error line', () => {
      const io = new RecordingIo();
      expect(configCheck({ config: fixture.dir }, io)).toBe(EXIT_INVALID);
      expect(io.stdout).toEqual([]);
      expect(io.stderr).toEqual([
        expect.stringMatching(/^agents\/atlas\.json5: colour: unknown key/),
        'project/thresholds/escalation.json5: levels.L2.timeout_minutes: must be a positive number of minutes (at most one week)',
        `config INVALID: 2 problems in ${fixture.dir}`,
      ]);
    });

    it('print: exits 2 too, printing nothing on stdout', () => {
      const io = new RecordingIo();
      expect(configPrint({ config: fixture.dir }, io)).toBe(EXIT_INVALID);
      expect(io.stdout).toEqual([]);
    });
  });

  it('print: the resolved config as JSON with ${VAR} values and secret keys hidden', () => {
    const fixture = ConfigFixture.shipped();
    try {
      fixture.patch(
        'project/integrations/integrations.json5',
        "tracker: { kind: 'local' },",
        "tracker: { kind: 'jira' },\n  jira: { $include: './production/jira.json5', api_token: 'inline-token-in-file' },",
      );
      fixture.write(
        '../.env',
        'JIRA_BASE_URL=https://site.example\nJIRA_EMAIL=bot@example.com\nJIRA_API_TOKEN=from-dotenv\n',
      );
      const io = new RecordingIo();
      expect(configPrint({ config: fixture.dir }, io)).toBe(EXIT_OK);
      const text = io.stdout.join('\n');
      const printed = JSON.parse(text) as {
        integrations: { jira: Record<string, unknown> };
        agents: Record<string, { port: number }>;
      };
      expect(printed.integrations.jira).toMatchObject({
        base_url: '***',
        email: '***',
        api_token: '***',
        project_key: 'OPS',
      });
      expect(printed.agents['ops-monitor']?.port).toBe(3001);
      for (const secret of ['inline-token-in-file', 'from-dotenv', 'bot@example.com'])
        expect(text).not.toContain(secret);
    } finally {
      fixture.remove();
    }
  });
  it('print: a password inside a URL value is masked whatever its key (the user stays)', () => {
    const fixture = ConfigFixture.shippedWithOverlay({
      bus: { servers: [`nats://cli:${INLINE_PASSWORD}@127.0.0.1:4222`] },
    });
    try {
      const io = new RecordingIo();
      expect(configPrint({ config: fixture.dir }, io)).toBe(EXIT_OK);
      const text = io.stdout.join('\n');
      expect(text).not.toContain(INLINE_PASSWORD);
      expect((JSON.parse(text) as { bus: { servers: string[] } }).bus.servers).toContain(
        'nats://cli:[REDACTED:url-password]@127.0.0.1:4222',
      );
    } finally {
      fixture.remove();
    }
  });
});
