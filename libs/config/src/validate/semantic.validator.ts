// Over ~300 lines: the cross-field rules of the whole config (agents, integrations, thresholds), each a short
// check with its message; they read the same validated tree.
import { type PathSegment } from '../load/config-path';
import { type AgentConfig } from '../schema/agent.schema';
import { type SeverityBandConfig } from '../schema/alerting.schema';
import { capacityConfigIssues } from '../schema/capacity.schema';
import { leaderLeaseConfigIssues } from '../schema/bus.schema';
import { spanStatusMismatch } from '../schema/integrations.schema';
import { type OpscrewConfig } from '../schema/opscrew-config.schema';
import { AGENT_NAMES, type AgentName } from '../schema/vocabulary';
import { checkAgentFiles } from './agent-files.rule';
import { type PathIssue } from './path-issue';

/** Which agent-specific section each agent needs: the app reads it at boot. */
const AGENT_SECTIONS: Record<AgentName, 'liveness' | 'monitor' | 'resolver' | 'controller'> = {
  atlas: 'liveness',
  'ops-monitor': 'monitor',
  'jira-resolver': 'resolver',
  'demo-controller': 'controller',
};

/**
 * Rules that span sections or files: names that must refer to something that
 * exists, sections a chosen adapter needs, ports that must not collide. Runs
 * only on a config that passed the schema, so every field has its type.
 */
export function validateSemantics(config: OpscrewConfig): PathIssue[] {
  const issues: PathIssue[] = [];
  const add = (segments: readonly PathSegment[], message: string): void => {
    issues.push({ segments, message });
  };

  const watched = config.services.watched;
  const serviceNames = new Set<string>();
  for (const [name, service] of watched) {
    serviceNames.add(name);
    for (const alias of service.aliases) serviceNames.add(alias);
  }
  const known = (name: string): boolean => serviceNames.has(name);
  const knownList = (): string => [...watched.keys()].join(', ');

  checkAgents(config, add);
  for (const [key, message] of leaderLeaseConfigIssues(config.bus.leader_lease))
    add(['bus', 'leader_lease', key], message);

  // Services: dependencies point at watched or protected services.
  const protectedSet = new Set(config.services.protected);
  for (const [name, service] of watched) {
    service.depends_on.forEach((dependency, index) => {
      if (!known(dependency) && !protectedSet.has(dependency)) {
        add(
          ['services', 'watched', name, 'depends_on', index],
          `unknown service "${dependency}" (not watched and not protected)`,
        );
      }
    });
    if (protectedSet.has(name) && service.restartable) {
      add(
        ['services', 'watched', name, 'restartable'],
        'is true, but the service is in services.protected, which is never restarted: set it to false',
      );
    }
  }

  for (const name of config.thresholds.alerting.services.keys()) {
    if (!known(name))
      add(
        ['thresholds', 'alerting', 'services', name],
        `unknown service (watched: ${knownList()})`,
      );
  }
  // Capacity forecasting: buckets that tile a day and fit a KV value; capacities of known services.
  for (const [key, message] of capacityConfigIssues(config.thresholds.capacity))
    add(['thresholds', 'capacity', key], message);
  for (const name of config.thresholds.capacity.services.keys()) {
    if (!known(name))
      add(
        ['thresholds', 'capacity', 'services', name],
        `unknown service (watched: ${knownList()})`,
      );
  }
  for (const name of config.thresholds.slo.objectives.keys()) {
    if (!known(name))
      add(['thresholds', 'slo', 'objectives', name], `unknown service (watched: ${knownList()})`);
  }
  checkSlo(config, add);
  checkSeverityBands(config, add);

  // Integrations: each chosen adapter has its settings.
  const integrations = config.integrations;
  const source = integrations.metrics.source;
  if (source === 'scrape' && !integrations.metrics.scrape) {
    add(['integrations', 'metrics', 'scrape'], 'is required when metrics.source is "scrape"');
  }
  if (source === 'prometheus' && !integrations.metrics.prometheus) {
    add(
      ['integrations', 'metrics', 'prometheus'],
      'is required when metrics.source is "prometheus"',
    );
  }
  if ((source === 'signoz' || source === 'signoz-mcp') && !integrations.signoz) {
    add(
      ['integrations', 'signoz'],
      `is required when metrics.source is "${source}" (include project/integrations/production/signoz.json5)`,
    );
  }
  if (source === 'signoz' || source === 'signoz-mcp') {
    const mismatch = spanStatusMismatch(integrations.metrics.request_status.error_prefixes);
    if (mismatch !== null)
      add(['integrations', 'metrics', 'request_status', 'error_prefixes'], mismatch);
  }
  if (source === 'signoz-mcp') {
    // Both agents that read metrics (ops-monitor detects, jira-resolver verifies) need the server.
    for (const agent of ['ops-monitor', 'jira-resolver']) {
      const served = [...config.mcp_servers.values()].some((server) =>
        server.agents.includes(agent),
      );
      if (!served)
        add(
          ['mcp_servers'],
          `metrics.source "signoz-mcp" needs an entry running signoz-mcp-server with "${agent}" in its agents (include project/integrations/production/mcp-servers.json5)`,
        );
    }
  }
  for (const name of Object.keys(integrations.metrics.scrape?.targets ?? {})) {
    if (!known(name))
      add(
        ['integrations', 'metrics', 'scrape', 'targets', name],
        `unknown service (watched: ${knownList()})`,
      );
  }
  if (integrations.runtime.kind === 'process' && !integrations.runtime.process) {
    add(
      ['integrations', 'runtime', 'process'],
      'is required when runtime.kind is "process" (control_url and token of the demo shop supervisor)',
    );
  }
  if (integrations.tracker.kind === 'jira' && !integrations.jira) {
    add(
      ['integrations', 'jira'],
      'is required when tracker.kind is "jira" (include project/integrations/production/jira.json5)',
    );
  }
  // The cost budget is enforced in code: it needs the configured model's price.
  const llm = integrations.llm;
  if (llm && !llm.prices.has(llm.model)) {
    add(
      ['integrations', 'llm', 'prices'],
      `has no entry for the configured model "${llm.model}" (priced: ${[...llm.prices.keys()].join(', ') || 'none'}); the cost budget needs it`,
    );
  }
  if (integrations.notifier.kind === 'discord' && !integrations.discord) {
    add(
      ['integrations', 'discord'],
      'is required when notifier.kind is "discord" (include project/integrations/production/discord.json5)',
    );
  }

  // Channels and bindings.
  const receivers = new Map<string, number>();
  config.bindings.forEach((binding, index) => {
    if (!config.channels.has(binding.channel)) {
      add(
        ['bindings', index, 'channel'],
        `unknown channel "${binding.channel}" (defined: ${[...config.channels.keys()].join(', ')})`,
      );
    }
    if (!config.agents.has(binding.agent))
      add(['bindings', index, 'agent'], `agent "${binding.agent}" is not configured`);
    if (binding.role === 'receive' && binding.enabled) {
      const first = receivers.get(binding.channel);
      if (first !== undefined) {
        add(
          ['bindings', index],
          `channel "${binding.channel}" already has a receiver (bindings[${first}]); a channel delivers to one receiver, so the second would never get messages`,
        );
      } else {
        receivers.set(binding.channel, index);
      }
    }
  });

  // Runbooks: steps in order; restarts need an agent allowed to restart.
  const resolverRuntime = config.agents.get('jira-resolver')?.sandbox.runtime;
  for (const [name, runbook] of config.thresholds.runbooks.patterns) {
    let previous = 0;
    runbook.actions.forEach((step, index) => {
      if (step.step <= previous) {
        add(
          ['thresholds', 'runbooks', 'patterns', name, 'actions', index, 'step'],
          `must be greater than the previous step (${previous})`,
        );
      }
      previous = step.step;
      if (
        step.action === 'restart_service' &&
        !resolverRuntime?.allowed_commands.includes('restart')
      ) {
        add(
          ['thresholds', 'runbooks', 'patterns', name, 'actions', index, 'action'],
          'restart_service needs "restart" in agents.jira-resolver.sandbox.runtime.allowed_commands',
        );
      }
    });
  }

  // Escalation: human levels name who is paged.
  for (const level of ['L2', 'L3'] as const) {
    const entry = config.thresholds.escalation.levels[level];
    if (entry.handler === 'discord_mention' && !entry.mention) {
      add(
        ['thresholds', 'escalation', 'levels', level, 'mention'],
        'is required when handler is "discord_mention"',
      );
    }
  }

  checkScenarios(config, known, add);
  checkAgentFiles(config, add);
  return issues;
}

function checkAgents(
  config: OpscrewConfig,
  add: (segments: readonly PathSegment[], message: string) => void,
): void {
  const ports = new Map<number, string>();
  // A schedule's name is its report's address (`report.<name>`, `opscrew report <name>`).
  const schedules = new Map<string, string>();
  for (const name of AGENT_NAMES) {
    const agent: AgentConfig | undefined = config.agents.get(name);
    if (!agent) {
      add(
        ['agents'],
        `agent "${name}" is missing; every agent needs its section (disable it with enabled: false)`,
      );
      continue;
    }
    const owner = ports.get(agent.port);
    if (owner) add(['agents', name, 'port'], `port ${agent.port} is already used by ${owner}`);
    ports.set(agent.port, name);
    for (const schedule of agent.schedules.keys()) {
      const other = schedules.get(schedule);
      if (other)
        add(
          ['agents', name, 'schedules', schedule],
          `is also agents.${other}.schedules.${schedule} (a report name must be unique in the crew)`,
        );
      schedules.set(schedule, name);
    }
    if (agent.max_age_s <= agent.heartbeat_interval_s) {
      add(
        ['agents', name, 'max_age_s'],
        `must be greater than heartbeat_interval_s (${agent.heartbeat_interval_s}), or the agent is stale between two heartbeats`,
      );
    }
    const section = AGENT_SECTIONS[name];
    if (!agent[section]) add(['agents', name, section], `is required for ${name}`);
    const liveness = agent.liveness;
    if (liveness?.on_stale === 'notify_and_restart' && liveness.runtime.kind === 'none') {
      add(
        ['agents', name, 'liveness', 'runtime', 'kind'],
        'is "none" (the platform restarts, atlas only reports), but on_stale is "notify_and_restart": set runtime.kind to supervisor or docker, or on_stale to notify',
      );
    }
    if (liveness?.runtime.docker && liveness.runtime.kind !== 'docker') {
      add(
        ['agents', name, 'liveness', 'runtime', 'docker'],
        `is only read when runtime.kind is "docker" (it is "${liveness.runtime.kind}")`,
      );
    }
    for (const other of Object.values(AGENT_SECTIONS)) {
      if (other !== section && agent[other])
        add(['agents', name, other], `belongs to another agent; ${name} takes "${section}"`);
    }
  }
}

function checkSeverityBands(
  config: OpscrewConfig,
  add: (segments: readonly PathSegment[], message: string) => void,
): void {
  const bands = config.thresholds.alerting.severity;
  const order = ['critical', 'high', 'medium', 'low'] as const;
  for (const field of ['error_rate_ratio', 'latency_p99_ms'] as const) {
    let previous: { name: string; value: number } | undefined;
    for (const name of order) {
      const band: SeverityBandConfig = bands[name];
      const value = band[field];
      if (value === undefined) continue;
      if (previous && value > previous.value) {
        add(
          ['thresholds', 'alerting', 'severity', name, field],
          `must not exceed ${previous.name}'s ${previous.value}: severities go down from critical`,
        );
      }
      previous = { name, value };
    }
  }
}

function checkScenarios(
  config: OpscrewConfig,
  known: (name: string) => boolean,
  add: (segments: readonly PathSegment[], message: string) => void,
): void {
  const controller = config.agents.get('demo-controller')?.controller;
  if (!controller) return;
  const scenarios = controller.scenarios;
  const base = ['agents', 'demo-controller', 'controller'];
  if (!config.services.watched.has(controller.entry_service))
    add([...base, 'entry_service'], `unknown service "${controller.entry_service}"`);
  // Below a second a GC pause or clock skew expires a lease still in use (libs/messaging MIN_LEASE_TTL_MS).
  if (controller.lock.lease_s < 1)
    add([...base, 'lock', 'lease_s'], `must be at least 1 s, got ${controller.lock.lease_s} s`);
  else if (controller.lock.lease_s > controller.lock.max_hold_s)
    add(
      [...base, 'lock', 'lease_s'],
      `must not exceed max_hold_s (${controller.lock.max_hold_s} s)`,
    );
  if (
    [...scenarios.values()].some((scenario) => scenario.kind === 'load') &&
    !controller.load_host &&
    !config.integrations.metrics.scrape?.targets[controller.entry_service]
  )
    add(
      [...base, 'load_host'],
      `is required for load scenarios when the entry service "${controller.entry_service}" has no scrape target`,
    );
  for (const [name, scenario] of scenarios) {
    const at = ['agents', 'demo-controller', 'controller', 'scenarios', name];
    if (scenario.precondition && !scenarios.has(scenario.precondition)) {
      add([...at, 'precondition'], `unknown scenario "${scenario.precondition}"`);
    }
    if (
      scenario.kind === 'load' &&
      (scenario.users === undefined || scenario.spawn_rate === undefined)
    ) {
      add(at, 'a load scenario needs users and spawn_rate');
    }
    if (scenario.kind === 'flag' && !scenario.flag)
      add([...at, 'flag'], 'is required for a flag scenario');
    if (scenario.kind === 'fault' && !scenario.fault)
      add([...at, 'fault'], 'is required for a fault scenario');
    if (scenario.hold_lock && scenario.kind !== 'load')
      add([...at, 'hold_lock'], 'only deliberate load holds the service lock');
    if (scenario.hold_lock && scenario.duration_s > controller.lock.max_hold_s)
      add(
        [...at, 'duration_s'],
        `a scenario holding the lock runs at most lock.max_hold_s (${controller.lock.max_hold_s} s), got ${scenario.duration_s} s`,
      );
    if (scenario.background_load !== undefined) {
      const background = scenarios.get(scenario.background_load);
      if (scenario.kind === 'load')
        add([...at, 'background_load'], 'only flag and fault scenarios run a background load');
      else if (!background || background.kind !== 'load' || background.hold_lock)
        add(
          [...at, 'background_load'],
          `must name a load scenario without hold_lock, got "${scenario.background_load}"`,
        );
    }
    if (scenario.kind === 'fault' && scenario.target_services.length === 0)
      add([...at, 'target_services'], 'a fault scenario needs the services to inject it into');
    scenario.target_services.forEach((service, index) => {
      if (!known(service)) add([...at, 'target_services', index], `unknown service "${service}"`);
    });
    scenario.expected.services.forEach((service, index) => {
      if (!known(service))
        add([...at, 'expected', 'services', index], `unknown service "${service}"`);
    });
  }
}

/**
 * SLO rules a single field cannot check: a 100 % objective has no error budget (every burn
 * rate would divide by zero), and a burn alert's short window must be shorter than its long one,
 * which ops-monitor keeps minute buckets for (a day at most).
 */
function checkSlo(
  config: OpscrewConfig,
  add: (segments: readonly PathSegment[], message: string) => void,
): void {
  const slo = config.thresholds.slo;
  for (const [name, objective] of slo.objectives) {
    for (const field of ['availability_ratio', 'latency_target_ratio'] as const) {
      if (objective[field] === 1)
        add(
          ['thresholds', 'slo', 'objectives', name, field],
          'must be below 1: a 100 % objective leaves no error budget (try 0.999)',
        );
    }
  }
  for (const alert of ['fast', 'slow'] as const) {
    const policy = slo.burn_alerts?.[alert];
    if (!policy) continue;
    const path = ['thresholds', 'slo', 'burn_alerts', alert];
    if (policy.short_window_minutes >= policy.long_window_minutes)
      add(
        [...path, 'short_window_minutes'],
        `must be shorter than long_window_minutes (${policy.long_window_minutes}); the workbook uses 1/12 of it`,
      );
    if (policy.long_window_minutes > 24 * 60)
      add(
        [...path, 'long_window_minutes'],
        `must be at most 1440 (a day): ops-monitor keeps minute buckets that long, got ${policy.long_window_minutes}`,
      );
  }
}
