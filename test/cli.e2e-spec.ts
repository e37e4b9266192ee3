import { type ConfigFixture } from '@opscrew/config/testing';
import { ConfigFixture as Fixture } from '@opscrew/config/testing';
import { assertBuilt, freePort, runCli } from './support/crew-harness';

/** The `opscrew` binary as a user runs it: exit codes, output streams, secrets. */
describe('opscrew CLI (e2e, the built binary)', () => {
  beforeAll(() => assertBuilt());

  it('config check: exit 0 and one summary line for the shipped config', () => {
    const result = runCli(['config', 'check']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toMatch(/^config OK: /);
  });

  describe('with a broken config', () => {
    let fixture: ConfigFixture;
    beforeAll(() => {
      fixture = Fixture.shipped();
      fixture.patch('project/thresholds/detection.json5', 'cycles: 5 }', 'cycles: 1 }');
      fixture.patch(
        'project/integrations/production/jira.json5',
        "project_key: 'OPS'",
        "project_key: 'ops'",
      );
      fixture.patch(
        'project/integrations/integrations.json5',
        "tracker: { kind: 'local' },",
        "tracker: { kind: 'jira' },\n  jira: { $include: './production/jira.json5' },",
      );
    });
    afterAll(() => fixture.remove());

    it('config check: exit 2 and every error line on stderr', () => {
      const result = runCli(['config', 'check', '--config', fixture.dir], {
        JIRA_BASE_URL: 'https://x.example',
        JIRA_EMAIL: 'a@b.c',
        JIRA_API_TOKEN: 'tok-123',
      });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([
        'project/integrations/production/jira.json5: project_key: must be a Jira project key like OPS',
        'project/thresholds/detection.json5: drift.trend.cycles: must be an integer between 2 and 1000',
        `config INVALID: 2 problems in ${fixture.dir}`,
      ]);
    });

    it('start <agent>: refuses to start, printing the same errors, exit 2', () => {
      const result = runCli(['start', 'atlas', '--config', fixture.dir], {
        JIRA_BASE_URL: 'https://x.example',
        JIRA_EMAIL: 'a@b.c',
        JIRA_API_TOKEN: 'tok-123',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'project/thresholds/detection.json5: drift.trend.cycles: must be an integer between 2 and 1000',
      );
      expect(result.stderr).not.toContain('tok-123');
    });
  });

  it('config print: secrets from the environment never appear', () => {
    const fixture = Fixture.shipped();
    try {
      fixture.patch(
        'project/integrations/integrations.json5',
        "tracker: { kind: 'local' },",
        "tracker: { kind: 'jira' },\n  jira: { $include: './production/jira.json5' },",
      );
      const result = runCli(['config', 'print', '--config', fixture.dir], {
        JIRA_BASE_URL: 'https://x.example',
        JIRA_EMAIL: 'a@b.c',
        JIRA_API_TOKEN: 'super-secret-token',
      });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('super-secret-token');
      const printed = JSON.parse(result.stdout) as {
        integrations: { jira: { api_token: string } };
      };
      expect(printed.integrations.jira.api_token).toBe('***');
    } finally {
      fixture.remove();
    }
  });

  it('incident inject: clear errors for an unknown service or symptom (exit 2)', () => {
    const result = runCli([
      'incident',
      'inject',
      '--service',
      'cartt',
      '--symptom',
      'high_error',
      '--value',
      'lots',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^--service: unknown service "cartt" \(watched: frontend \(frontendservice\), ad \(adservice\), cart \(cartservice\), /,
        ),
        expect.stringMatching(
          /^--symptom: unknown symptom "high_error" \(known: high_error_rate, /,
        ),
        '--value: must be a number, got "lots"',
      ]),
    );
  });

  it('incident inject: says which NATS it could not reach (exit 1)', async () => {
    const port = await freePort();
    const result = runCli(
      ['incident', 'inject', '--service', 'cart', '--symptom', 'high_error_rate'],
      { NATS_URL: `nats://127.0.0.1:${port}` },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`nats://127.0.0.1:${port}`);
  });

  it('start <agent>: a disabled agent stays off (exit 2, says why)', () => {
    const fixture = Fixture.shipped();
    try {
      fixture.patch(
        'agents/demo-controller.json5',
        'port: 3003,',
        'port: 3003,\n  enabled: false,',
      );
      const result = runCli(['start', 'demo-controller', '--config', fixture.dir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'demo-controller is disabled (agents.demo-controller.enabled: false',
      );
    } finally {
      fixture.remove();
    }
  });

  it('unknown commands and agents are usage errors (exit 2)', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
    const result = runCli(['start', 'hal-9000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown agent "hal-9000"');
  });
});
