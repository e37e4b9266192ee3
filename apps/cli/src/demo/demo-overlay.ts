import { cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOP_SERVICE_NAMES } from '../../../demo-shop/src';
import { DEMO_HOST, type DemoPortPlan } from './demo-port.plan';

export interface DemoOverlayOptions {
  /** The shipped config to copy (the repository's `config/`). */
  readonly sourceConfig: string;
  /** The run's project folder: its `config/` and `var/` live here. */
  readonly runDir: string;
  readonly namespace: string;
  readonly load: { readonly kind: 'locust' | 'builtin' };
  /** Where every agent, shop service, the supervisor and Locust listen. */
  readonly ports: DemoPortPlan;
  /**
   * demo-controller's lock lease (s). Shorter in the test that kills it
   * mid-stress, so the orphaned locks lapse in seconds, not a minute.
   */
  readonly lockLeaseS?: number;
  /**
   * More keys deep-merged over the overlay (objects merge, anything else replaces): the fault
   * suite points the crew at contract servers and its metrics through a proxy this way.
   */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * The thresholds a story of minutes needs compressed: verification in seconds, escalation
 * levels of 30–90 s. Everything else stays what production runs. The compose suite
 * (test/compose.e2e-spec.ts) runs its containers with the same.
 */
export const DEMO_COMPRESSED_THRESHOLDS = {
  verification: {
    wait_after_restart_s: 3,
    check_interval_s: 1,
    success_criteria: { consecutive_checks: 2 },
    failure_budget_checks: 4,
    // oom_kill's 5-minute stability watch becomes 8 s: the leak would regrow within that.
    max_watch_s: 8,
  },
  escalation: {
    levels: {
      // L1 is the runbook's own time. The slowest restart-curable one (high_latency: dependency
      // and resource checks, two p99 readings 10 s apart, the restart, then verification of a
      // quiet service that sees no traffic for a while) takes ~50 s on a quiet host; at 1 min a
      // CI host ran past it by 0.25 s and paged for a fix that was holding.
      L1: { timeout_minutes: 1.5 },
      L2: { timeout_minutes: 0.5 },
      L3: { timeout_minutes: 1 },
    },
  },
} as const;

/**
 * The demo's configuration: the shipped one, included as is, with its timers
 * compressed by an overlay (sibling keys beside `$include`, the same mechanism
 * a team uses for staging) so a story of minutes fits in three: a detection
 * cycle of 1 s, verification in seconds, escalation levels in seconds.
 * Every port comes from the plan and is written wherever the config names
 * one — the agents' ports, the scrape targets (where the shop listens, and
 * from which demo-controller derives the load host and the fault targets),
 * the supervisor's control URL, Locust's API — so the crew, the shop and
 * Locust agree by construction.
 * Everything else — thresholds, runbooks, rate limits — is what production runs.
 */
export function writeDemoConfig(options: DemoOverlayOptions): string {
  const dir = join(options.runDir, 'config');
  mkdirSync(options.runDir, { recursive: true });
  cpSync(options.sourceConfig, dir, { recursive: true });
  renameSync(join(dir, 'opscrew.json5'), join(dir, 'shipped.json5'));
  writeFileSync(
    join(dir, 'opscrew.json5'),
    `// npm run demo: the shipped configuration with compressed timers and this run's ports (see README "npm run demo").\n${JSON.stringify(demoOverlay(options), null, 2)}\n`,
  );
  return dir;
}

/** The overlay's content: sibling keys deep-merged over the shipped root. */
export function demoOverlay(
  options: Pick<DemoOverlayOptions, 'namespace' | 'load' | 'ports' | 'lockLeaseS' | 'extra'>,
): Record<string, unknown> {
  return deepMerge(baseOverlay(options), options.extra ?? {});
}

function baseOverlay(
  options: Pick<DemoOverlayOptions, 'namespace' | 'load' | 'ports' | 'lockLeaseS'>,
): Record<string, unknown> {
  const { ports } = options;
  const at = (port: number): string => `http://${DEMO_HOST}:${port}`;
  const agent = { heartbeat_interval_s: 2, max_age_s: 10 };
  return {
    $include: './shipped.json5',
    bus: { namespace: options.namespace },
    // The run's own token, passed to every child as OPSCREW_API_TOKEN (never written here).
    http: { api_token: '${OPSCREW_API_TOKEN}' },
    agents: {
      atlas: { ...agent, port: ports.agents.atlas, liveness: { check_interval_s: 2 } },
      'ops-monitor': {
        ...agent,
        port: ports.agents['ops-monitor'],
        monitor: { cycle_interval_s: 1 },
      },
      'jira-resolver': { ...agent, port: ports.agents['jira-resolver'] },
      // Score a run 10 s after it ends (production waits 5 min for stragglers): the story reads the scorecard.
      'demo-controller': {
        ...agent,
        port: ports.agents['demo-controller'],
        controller: {
          learning: { settle_s: 10 },
          ...(options.lockLeaseS !== undefined ? { lock: { lease_s: options.lockLeaseS } } : {}),
        },
      },
    },
    integrations: {
      // Every shipped target is replaced (same keys): the shop listens exactly here.
      metrics: {
        scrape: {
          targets: Object.fromEntries(
            SHOP_SERVICE_NAMES.map((name) => [name, `${at(ports.shop[name])}/metrics`]),
          ),
        },
      },
      runtime: { process: { control_url: at(ports.supervisor) } },
      load: { kind: options.load.kind, locust: { api_url: at(ports.locust) } },
    },
    thresholds: DEMO_COMPRESSED_THRESHOLDS,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `over` merged into `base`: nested objects merge key by key, arrays and scalars replace. */
function deepMerge(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
