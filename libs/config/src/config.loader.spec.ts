import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedConfig, loadConfig } from './config.loader';
import { ConfigError } from './load/config-issue';
import { ConfigFixture, SHIPPED_CONFIG_DIR } from './testing/config-fixture';

/** Every error line of a config that must not load. */
function errorsOf(fixture: ConfigFixture, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ configDir: fixture.dir, env });
  } catch (error) {
    if (error instanceof ConfigError) return error.lines();
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const PRODUCTION_ENV = {
  JIRA_BASE_URL: 'https://example.atlassian.net',
  JIRA_EMAIL: 'sre@example.com',
  JIRA_API_TOKEN: 'jira-token-value',
  DISCORD_WEBHOOK_URL: 'https://discord.example/api/webhooks/1/abc',
  DISCORD_ONCALL_ROLE_ID: '111',
  DISCORD_LEAD_ROLE_ID: '222',
  SIGNOZ_URL: 'https://signoz.example',
  SIGNOZ_API_KEY: 'signoz-key-value',
};

describe('loadConfig: the shipped configuration', () => {
  let loaded: LoadedConfig;
  beforeAll(() => {
    loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  });

  it('loads without any variable set (the embedded demo needs no account)', () => {
    expect([...loaded.config.agents.keys()]).toEqual([
      'atlas',
      'ops-monitor',
      'jira-resolver',
      'demo-controller',
    ]);
    expect(loaded.config.bus.servers).toEqual(['nats://127.0.0.1:4222']);
    expect(loaded.warnings).toEqual([]);
  });

  it('carries the seed values: guardrails, dedup, escalation, verification, scenarios', () => {
    const { thresholds, agents } = loaded.config;
    expect(thresholds.guardrails.circuit_breaker).toEqual({
      failure_threshold: 3,
      reset_timeout_s: 60,
    });
    expect(thresholds.guardrails.rate_limits).toMatchObject({
      jira_issues_per_hour: 10,
      discord_messages_per_minute: 5,
      signoz_queries_per_minute: 30,
    });
    expect(thresholds.alerting.dedup.window_minutes).toBe(60);
    expect(thresholds.escalation.levels.L1.timeout_minutes).toBe(10);
    expect(thresholds.escalation.levels.L2).toMatchObject({
      mention: '@oncall-engineer',
      timeout_minutes: 30,
    });
    expect(thresholds.escalation.levels.L3).toMatchObject({
      mention: '@team-lead',
      timeout_minutes: 60,
    });
    expect(thresholds.verification.success_criteria).toEqual({
      error_rate_below: 0.01,
      latency_below_ms: 3000,
      consecutive_checks: 2,
    });
    expect([...thresholds.runbooks.patterns.keys()].sort()).toEqual([
      'connection_pool_exhaustion',
      'container_crash',
      'dependency_failure',
      'high_error_rate',
      'high_latency',
      'oom_kill',
    ]);
    expect(agents.get('demo-controller')?.controller?.scenarios.size).toBe(12); // the seed's nine + three restart-curable faults
    expect(agents.get('ops-monitor')?.max_age_s).toBe(120);
    expect(agents.get('jira-resolver')?.max_age_s).toBe(300);
    expect(loaded.config.services.protected).toEqual(
      expect.arrayContaining(['nats', 'flagd', 'valkey-cart', 'postgresql']),
    );
  });

  it('applies defaults for keys left out', () => {
    expect(loaded.config.agents.get('atlas')?.schedules.get('slo-daily')?.enabled).toBe(true);
    expect(
      loaded.config.thresholds.runbooks.patterns.get('high_error_rate')?.actions[2],
    ).toMatchObject({
      action: 'restart_service',
      condition: 'always',
    });
  });

  it('maps Alertmanager alerts with the documented defaults', () => {
    expect(loaded.config.integrations.alertmanager).toEqual({
      service_labels: ['service', 'service_name', 'job'],
      symptoms_by_alertname: {},
      severity_by_label: { critical: 'critical', error: 'high', warning: 'medium', info: 'info' },
    });
  });

  it('reads request status the same way for every metrics source: the shipped labels, 5xx', () => {
    expect(loaded.config.integrations.metrics.request_status).toEqual({
      labels: ['status_code', 'code', 'status', 'http_status_code', 'http_response_status_code'],
      error_prefixes: ['5'],
    });
  });

  it('resolves relative file paths against the project root', () => {
    expect(loaded.resolvePath('var/notifications.jsonl')).toBe(
      join(loaded.projectRoot, 'var/notifications.jsonl'),
    );
    expect(loaded.resolvePath('/abs/x')).toBe('/abs/x');
  });
});

describe('loadConfig: production integrations', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
    fixture.patch(
      'project/integrations/integrations.json5',
      "tracker: { kind: 'local' },",
      `tracker: { kind: 'jira' },
  jira: { $include: './production/jira.json5' },
  discord: { $include: './production/discord.json5' },
  signoz: { $include: './production/signoz.json5' },`,
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "notifier: { kind: 'console',",
      "notifier: { kind: 'discord',",
    );
    fixture.patch(
      'opscrew.json5',
      'mcp_servers: {},',
      "mcp_servers: { $include: './project/integrations/production/mcp-servers.json5' },",
    );
  });
  afterEach(() => fixture.remove());

  it('validates Jira, Discord, SigNoz and MCP settings once their variables are set', () => {
    const loaded = loadConfig({ configDir: fixture.dir, env: PRODUCTION_ENV });
    expect(loaded.config.integrations.jira?.statuses.in_review).toBe('In Review');
    expect(loaded.config.integrations.discord?.role_ids).toEqual({
      'oncall-engineer': '111',
      'team-lead': '222',
    });
    expect(loaded.config.mcp_servers.get('signoz')?.env.SIGNOZ_API_KEY).toBe('signoz-key-value');
    expect(loaded.variables).toEqual(expect.arrayContaining(['JIRA_API_TOKEN', 'SIGNOZ_API_KEY']));
  });

  it('metrics.source "signoz-mcp" loads with the SigNoz MCP server, and names what is missing without it', () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      "source: 'scrape'",
      "source: 'signoz-mcp'",
    );
    expect(
      loadConfig({ configDir: fixture.dir, env: PRODUCTION_ENV }).config.integrations.metrics
        .source,
    ).toBe('signoz-mcp');
    fixture.patch(
      'opscrew.json5',
      /^ {2}mcp_servers: \{ \$include: [^}]+\},/m,
      '  mcp_servers: {},',
    );
    expect(errorsOf(fixture, PRODUCTION_ENV)).toEqual([
      'opscrew.json5: mcp_servers: metrics.source "signoz-mcp" needs an entry running signoz-mcp-server with "ops-monitor" in its agents (include project/integrations/production/mcp-servers.json5)',
      'opscrew.json5: mcp_servers: metrics.source "signoz-mcp" needs an entry running signoz-mcp-server with "jira-resolver" in its agents (include project/integrations/production/mcp-servers.json5)',
    ]);
  });

  it('metrics.source "signoz" measures errors by span status: error classes beyond 5xx are refused at check time', () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      "source: 'scrape'",
      "source: 'signoz'",
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "error_prefixes: ['5'],",
      "error_prefixes: ['5', '429'],",
    );
    expect(errorsOf(fixture, PRODUCTION_ENV)).toEqual([
      'project/integrations/integrations.json5: metrics.request_status.error_prefixes: SigNoz counts a request as failed by its span status (Error: 5xx for OTel HTTP servers), so only ["5"] can be measured there (got ["5","429"])',
    ]);
  });

  it('names every missing variable, the file it is used in and its config path', () => {
    const { JIRA_API_TOKEN: _token, SIGNOZ_API_KEY: _key, ...partial } = PRODUCTION_ENV;
    expect(errorsOf(fixture, partial)).toEqual([
      'project/integrations/production/mcp-servers.json5: signoz.env.SIGNOZ_API_KEY: Missing env var "SIGNOZ_API_KEY" referenced at config path: mcp_servers.signoz.env.SIGNOZ_API_KEY',
      'project/integrations/production/jira.json5: api_token: Missing env var "JIRA_API_TOKEN" referenced at config path: integrations.jira.api_token',
      'project/integrations/production/signoz.json5: api_key: Missing env var "SIGNOZ_API_KEY" referenced at config path: integrations.signoz.api_key',
    ]);
  });

  it('reads variables from the project .env below the process environment', () => {
    fixture.write(
      '../.env',
      Object.entries(PRODUCTION_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const loaded = loadConfig({
      configDir: fixture.dir,
      env: { JIRA_EMAIL: 'override@example.com' },
    });
    expect(loaded.dotenvLoaded).toBe(true);
    expect(loaded.config.integrations.jira?.email).toBe('override@example.com');
    expect(loaded.config.integrations.jira?.api_token).toBe('jira-token-value');
  });

  it('redacts every value from a variable and every secret-named key in the printable config', () => {
    const loaded = loadConfig({ configDir: fixture.dir, env: PRODUCTION_ENV });
    const printed = JSON.stringify(loaded.redacted);
    for (const secret of [
      'jira-token-value',
      'signoz-key-value',
      'api/webhooks/1/abc',
      'sre@example.com',
    ]) {
      expect(printed).not.toContain(secret);
    }
    const integrations = (
      loaded.redacted as { integrations: Record<string, Record<string, unknown>> }
    ).integrations;
    expect(integrations.jira).toMatchObject({
      api_token: '***',
      base_url: '***',
      project_key: 'OPS',
    });
    expect(integrations.discord).toMatchObject({ webhook_url: '***', username: 'opscrew' });
  });
});

describe('loadConfig: strict validation, traced to the file', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('names the included file and the path inside it, not the root file', () => {
    fixture.patch(
      'project/thresholds/alerting.json5',
      'latency_p99_ms: 3000,',
      'latency_p99_ms: -5,',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/alerting.json5: services.frontend.latency_p99_ms: must be a positive number (milliseconds)',
    ]);
  });

  it('rejects unknown keys and suggests the right name', () => {
    fixture.patch(
      'project/thresholds/alerting.json5',
      'latency_p99_ms: 3000,',
      'latency_p99: 3000,',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/alerting.json5: services.frontend.latency_p99: unknown key (did you mean "latency_p99_ms"?)',
    ]);
  });

  it('reads the outbox claim TTL in seconds and names the old millisecond key as unknown', () => {
    expect(
      loadConfig({ configDir: fixture.dir, env: {} }).config.thresholds.guardrails.outbox
        ?.claim_ttl_s,
    ).toBe(15);
    fixture.patch(
      'project/thresholds/guardrails.json5',
      'claim_ttl_s: 15,',
      'claim_ttl_ms: 120000,',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/guardrails.json5: outbox.claim_ttl_ms: unknown key (did you mean "claim_ttl_s"?)',
    ]);
    fixture.patch(
      'project/thresholds/guardrails.json5',
      'claim_ttl_ms: 120000,',
      'claim_ttl_s: 1,',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/guardrails.json5: outbox.claim_ttl_s: must be an integer between 3 and 600',
    ]);
  });

  it('reads files.rotate (10 MiB × 5 shipped and by default) and names a bad size or count', () => {
    expect(loadConfig({ configDir: fixture.dir, env: {} }).config.files.rotate).toEqual({
      max_bytes: 10 * 1024 * 1024,
      keep: 5,
    });
    fixture.patch(
      'opscrew.json5',
      'files: { rotate: { max_bytes: 10485760, keep: 5 } },',
      'files: { rotate: { keep: 2 } },',
    );
    expect(loadConfig({ configDir: fixture.dir, env: {} }).config.files.rotate).toEqual({
      max_bytes: 10 * 1024 * 1024,
      keep: 2,
    });
    fixture.patch(
      'opscrew.json5',
      'files: { rotate: { keep: 2 } },',
      'files: { rotate: { max_bytes: 100, keep: 0, max_files: 3 } },',
    );
    expect(errorsOf(fixture)).toEqual([
      'opscrew.json5: files.rotate.max_files: unknown key (did you mean "max_bytes"?)',
      'opscrew.json5: files.rotate.max_bytes: must be an integer between 1024 and 1073741824',
      'opscrew.json5: files.rotate.keep: must be an integer between 1 and 100',
    ]);
  });

  it('reads bus.replicas (1 by default, at most 5) and a NATS_URL listing a whole cluster', () => {
    const cluster = 'nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222';
    const loaded = loadConfig({ configDir: fixture.dir, env: { NATS_URL: cluster } }).config.bus;
    expect(loaded.replicas).toBe(1);
    expect(loaded.servers).toEqual([cluster]);
    fixture.patch('opscrew.json5', 'replicas: 1,', 'replicas: 7,');
    expect(errorsOf(fixture, { NATS_URL: 'nats://nats-1:4222,nats-2:4222' })).toEqual([
      'opscrew.json5: bus.servers: [0] must be a nats:// URL, or several separated by commas (got "nats://nats-1:4222,nats-2:4222")',
      'opscrew.json5: bus.replicas: must be an integer between 1 and 5',
    ]);
  });

  it('rejects wrong types without coercing them', () => {
    fixture.patch('agents/ops-monitor.json5', 'port: 3001,', "port: '3001',");
    fixture.patch('agents/atlas.json5', "mode: 'act',", 'mode: true,');
    expect(errorsOf(fixture)).toEqual([
      'agents/atlas.json5: mode: must be one of act, observe (got true)',
      'agents/ops-monitor.json5: port: must be an integer between 1 and 65535',
    ]);
  });

  it("catches a latency in the wrong unit (the seed's 600,000 ms)", () => {
    fixture.patch(
      'project/thresholds/alerting.json5',
      'latency_p99_ms: 2000,',
      'latency_p99_ms: 600000,',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/alerting.json5: services.recommendation.latency_p99_ms: must be at most 120000 ms, got 600000 ms = 10.0 min (is this value in µs or ns? convert it to milliseconds)',
    ]);
  });

  it('catches a percentage written where a ratio belongs', () => {
    fixture.patch(
      'project/thresholds/alerting.json5',
      'error_rate_ratio: 0.05, // the seed',
      'error_rate_ratio: 5, // the seed',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/alerting.json5: defaults.error_rate_ratio: must be a ratio between 0 and 1, got 5 (a percentage? write 0.05)',
    ]);
  });

  it('keeps the Alertmanager defaults when the section is left out, and refuses unknown symptoms, severities and labels', () => {
    const withSection = fixture.read('project/integrations/integrations.json5');
    fixture.write(
      'project/integrations/integrations.json5',
      withSection.replace(/\n {2}alertmanager: \{[\s\S]*?\n {2}\},\n/, '\n'),
    );
    const defaults = loadConfig({ configDir: fixture.dir, env: {} }).config.integrations;
    expect(defaults.alertmanager.service_labels).toEqual(['service', 'service_name', 'job']);
    expect(defaults.alertmanager.severity_by_label['warning']).toBe('medium');
    fixture.write('project/integrations/integrations.json5', withSection);
    fixture.patch(
      'project/integrations/integrations.json5',
      'symptoms_by_alertname: {},',
      "symptoms_by_alertname: { HighErrorRate: 'high_error_rate', KubePodCrashLooping: 'crashloop' },",
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "warning: 'medium',",
      "warning: 'meh',",
    );
    fixture.patch(
      'project/integrations/integrations.json5',
      "service_labels: ['service', 'service_name', 'job'],",
      "service_labels: ['service', 'app.kubernetes.io/name'],",
    );
    expect(errorsOf(fixture)).toEqual([
      'project/integrations/integrations.json5: alertmanager.service_labels: [1] must be a Prometheus label name (got "app.kubernetes.io/name")',
      expect.stringMatching(
        /^project\/integrations\/integrations\.json5: alertmanager\.symptoms_by_alertname: KubePodCrashLooping must be one of high_error_rate, .* \(got "crashloop"\)$/,
      ),
      'project/integrations/integrations.json5: alertmanager.severity_by_label: warning must be one of critical, high, medium, low, info (got "meh")',
    ]);
  });

  it('keeps the request_status defaults when the section is left out, and refuses lists that would hide errors', () => {
    const withSection = fixture.read('project/integrations/integrations.json5');
    fixture.write(
      'project/integrations/integrations.json5',
      withSection.replace(/\n {4}request_status: \{[\s\S]*?\n {4}\},\n/, '\n'),
    );
    const defaults = loadConfig({ configDir: fixture.dir, env: {} }).config.integrations.metrics;
    expect(defaults.request_status.labels).toEqual([
      'status_code',
      'code',
      'status',
      'http_status_code',
      'http_response_status_code',
    ]);
    expect(defaults.request_status.error_prefixes).toEqual(['5']);

    // Only one of the two keys: the other keeps its default.
    fixture.write(
      'project/integrations/integrations.json5',
      withSection.replace(
        /\n {4}request_status: \{[\s\S]*?\n {4}\},\n/,
        "\n    request_status: { error_prefixes: ['5', '429'] },\n",
      ),
    );
    expect(
      loadConfig({ configDir: fixture.dir, env: {} }).config.integrations.metrics.request_status,
    ).toEqual({
      labels: ['status_code', 'code', 'status', 'http_status_code', 'http_response_status_code'],
      error_prefixes: ['5', '429'],
    });

    const broken = (labels: string, prefixes: string, extra = ''): string[] => {
      fixture.write(
        'project/integrations/integrations.json5',
        withSection.replace(
          /\n {4}request_status: \{[\s\S]*?\n {4}\},\n/,
          `\n    request_status: { labels: ${labels}, error_prefixes: ${prefixes}${extra} },\n`,
        ),
      );
      return errorsOf(fixture);
    };
    const at = 'project/integrations/integrations.json5: metrics.request_status';
    expect(broken("['status_code', 'http.status_code']", "['5']")).toEqual([
      `${at}.labels: [1] must be a Prometheus label name (got "http.status_code")`,
    ]);
    expect(broken('[]', '[]')).toEqual([
      `${at}.labels: must list at least 1 item(s)`,
      `${at}.error_prefixes: must list at least 1 item(s)`,
    ]);
    expect(broken("['code', 'status', 'code']", "['5xx']")).toEqual([
      `${at}.labels: [2] repeats "code" (listed at [0])`,
      `${at}.error_prefixes: [0] must be an HTTP status code or a prefix of one, like 5 or 429 (got "5xx")`,
    ]);
    expect(broken("['code']", '[5]')).toEqual([
      `${at}.error_prefixes: [0] must be a non-empty string`,
    ]);
    expect(broken("['code']", "['5']", ", label: 'code'")).toEqual([
      `${at}.label: unknown key (did you mean "labels"?)`,
    ]);
    fixture.write('project/integrations/integrations.json5', withSection);
  });

  it('the scrape source has no status settings of its own any more: one definition for every source', () => {
    fixture.patch(
      'project/integrations/integrations.json5',
      'timeout_ms: 2000,',
      "timeout_ms: 2000,\n      error_status_prefixes: ['5'],",
    );
    expect(errorsOf(fixture)).toEqual([
      'project/integrations/integrations.json5: metrics.scrape.error_status_prefixes: unknown key (allowed: targets, timeout_ms)',
    ]);
  });

  it('reports a missing required key on the object that lacks it', () => {
    fixture.patch('project/thresholds/verification.json5', 'check_interval_s: 30,', '');
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/verification.json5: check_interval_s: is required',
    ]);
  });

  it('fails an unknown runbook action or a bad parameter at check time, not at 3 a.m.', () => {
    fixture.patch(
      'project/thresholds/runbooks.json5',
      "action: 'check_dependencies', description: 'Check the services",
      "action: 'check_dependancies', description: 'Check the services",
    );
    fixture.patch(
      'project/thresholds/runbooks.json5',
      'duration_s: 300 },\n      ],\n      // The seed',
      "duration_s: 'five minutes' },\n      ],\n      // The seed",
    );
    fixture.patch(
      'project/thresholds/runbooks.json5',
      'requires_approval: true',
      'requires_approval: false',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/runbooks.json5: patterns.high_latency.actions[0].action: must be one of check_logs, check_dependencies, check_resources, check_latency_trend, check_connection_count, identify_leak_source, collect_memory_profile, restart_service, verify_metrics, verify_stability, monitor_connection_growth, monitor_memory_growth, monitor_latency, monitor_error_rate, increase_memory_limit (got "check_dependancies")',
      'project/thresholds/runbooks.json5: patterns.oom_kill.actions[1].requires_approval: must be true: memory limits are proposed for approval, never applied automatically',
      'project/thresholds/runbooks.json5: patterns.oom_kill.actions[3].duration_s: must be a positive number (seconds)',
    ]);
  });

  it("rejects the seed's broken cron expression", () => {
    fixture.patch('agents/jira-resolver.json5', "cron: '0 30 9 * * *'", "cron: '0 9 30 * * *'");
    expect(errorsOf(fixture)).toEqual([
      'agents/jira-resolver.json5: schedules.jira-resolver-daily.cron: invalid cron expression "0 9 30 * * *": Field value (30) is out of range (5 fields: min hour day month weekday, or 6 with seconds first)',
    ]);
  });

  it('rejects an unknown agent name and a runtime command no agent may hold', () => {
    fixture.patch(
      'opscrew.json5',
      "atlas: { $include: './agents/atlas.json5' },",
      "atlas: { $include: './agents/atlas.json5' },\n    'ops-moniter': {},",
    );
    fixture.patch(
      'agents/jira-resolver.json5',
      "allowed_commands: ['restart', 'logs', 'inspect']",
      "allowed_commands: ['restart', 'exec']",
    );
    expect(errorsOf(fixture)).toEqual([
      'opscrew.json5: agents: unknown name "ops-moniter" (known: atlas, ops-monitor, jira-resolver, demo-controller)',
      'agents/jira-resolver.json5: sandbox.runtime.allowed_commands: [1] must be one of restart, logs, inspect (got "exec")',
    ]);
  });

  it('lists every problem, one line each, in one run', () => {
    fixture.patch(
      'project/thresholds/guardrails.json5',
      'failure_threshold: 3,',
      'failure_threshold: 0,',
    );
    fixture.patch(
      'project/thresholds/guardrails.json5',
      'jira_issues_per_hour: 10,',
      'jira_issues_per_hour: 10, jira_per_hour: 3,',
    );
    fixture.patch(
      'project/services/otel-demo.json5',
      "criticality: 'low',",
      "criticality: 'whatever',",
    );
    const errors = errorsOf(fixture);
    expect(errors).toHaveLength(3);
    for (const line of errors) expect(line).not.toContain('\n');
    expect(errors).toContain(
      'project/thresholds/guardrails.json5: circuit_breaker.failure_threshold: must be an integer between 1 and 100',
    );
  });

  it('checks names across files: services, channels, receivers, ports, adapters', () => {
    fixture.patch('project/thresholds/alerting.json5', 'ad: {', 'adservce: {');
    fixture.patch(
      'bindings/agent-bindings.json5',
      "{ agent: 'atlas', channel: 'commands', role: 'receive' },",
      "{ agent: 'atlas', channel: 'commands', role: 'receive' },\n  { agent: 'ops-monitor', channel: 'commands', role: 'receive' },\n  { agent: 'atlas', channel: 'pager', role: 'publish' },",
    );
    fixture.patch('agents/demo-controller.json5', 'port: 3003,', 'port: 3000,');
    fixture.patch(
      'project/integrations/integrations.json5',
      "tracker: { kind: 'local' },",
      "tracker: { kind: 'jira' },",
    );
    expect(errorsOf(fixture)).toEqual([
      'agents/demo-controller.json5: port: port 3000 is already used by atlas',
      expect.stringMatching(
        /^project\/thresholds\/alerting\.json5: services\.adservce: unknown service \(watched: frontend, ad, /,
      ),
      'project/integrations/integrations.json5: jira: is required when tracker.kind is "jira" (include project/integrations/production/jira.json5)',
      'bindings/agent-bindings.json5: [8]: channel "commands" already has a receiver (bindings[7]); a channel delivers to one receiver, so the second would never get messages',
      'bindings/agent-bindings.json5: [9].channel: unknown channel "pager" (defined: incidents, reports, commands)',
    ]);
  });

  it('refuses a report name two agents schedule (it is the report address)', () => {
    fixture.patch(
      'agents/jira-resolver.json5',
      "'jira-resolver-daily': {",
      "'ops-monitor-daily': {",
    );
    expect(errorsOf(fixture)).toEqual([
      'agents/jira-resolver.json5: schedules.ops-monitor-daily: is also agents.ops-monitor.schedules.ops-monitor-daily (a report name must be unique in the crew)',
    ]);
  });

  it('gives a syntax error in an included file as FILE:LINE:COL', () => {
    fixture.patch(
      'project/thresholds/slo.json5',
      'window_days: 30 },\n    checkout',
      'window_days: 30 }\n    checkout',
    );
    expect(errorsOf(fixture)).toEqual([
      "project/thresholds/slo.json5:5:5: syntax error: invalid character 'c'",
    ]);
  });

  it('says so when the config directory does not exist', () => {
    expect(() => loadConfig({ configDir: join(fixture.dir, 'nope'), env: {} })).toThrow(
      /config directory not found/,
    );
  });

  it('loads a .json5 root file given instead of the folder: one folder, several entry points', () => {
    // The compose stack's layout: the shipped config under shipped/, one entry per agent beside it.
    fixture.write(
      'atlas.json5',
      "{ $include: './opscrew.json5', agents: { atlas: { port: 4100 } } }",
    );
    const entry = join(fixture.dir, 'atlas.json5');
    const loaded = loadConfig({ configDir: entry, env: {} });
    expect(loaded.config.agents.get('atlas')?.port).toBe(4100);
    expect(loaded.configRoot).toBe(realpathSync(fixture.dir));
    expect(loaded.projectRoot).toBe(realpathSync(fixture.projectDir));
    expect(loaded.files[0]).toBe('atlas.json5');
    // Loading `source` again gives the same config (runbook reloads, `start all` children).
    expect(loaded.source).toBe(join(realpathSync(fixture.dir), 'atlas.json5'));
    expect(loadConfig({ configDir: loaded.source, env: {} }).config.agents.get('atlas')?.port).toBe(
      4100,
    );
    // The folder still means its opscrew.json5.
    expect(loadConfig({ configDir: fixture.dir, env: {} }).config.agents.get('atlas')?.port).toBe(
      3000,
    );
  });

  it('refuses a root file that is not .json5, saying what it takes', () => {
    const path = fixture.write('notes.txt', '{}');
    expect(() => loadConfig({ configDir: path, env: {} })).toThrow(
      /a config file must be a \.json5 root file \(or give its folder, holding opscrew\.json5\)/,
    );
  });
});
