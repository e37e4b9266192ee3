import { cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoOverlayOptions {
  /** The shipped config to copy (the repository's `config/`). */
  readonly sourceConfig: string;
  /** The run's project folder: its `config/` and `var/` live here. */
  readonly runDir: string;
  readonly namespace: string;
  readonly load: { readonly kind: 'locust' | 'builtin'; readonly locustApiUrl?: string };
  /**
   * demo-controller's lock lease (s). Shorter in the test that kills it
   * mid-stress, so the orphaned locks lapse in seconds, not a minute.
   */
  readonly lockLeaseS?: number;
}

/**
 * The demo's configuration: the shipped one, included as is, with its timers
 * compressed by an overlay (sibling keys beside `$include`, the same mechanism
 * a team uses for staging) so a story of minutes fits in three: a detection
 * cycle of 1 s, verification in seconds, escalation levels in seconds.
 * Everything else — thresholds, runbooks, rate limits — is what production runs.
 */
export function writeDemoConfig(options: DemoOverlayOptions): string {
  const dir = join(options.runDir, 'config');
  mkdirSync(options.runDir, { recursive: true });
  cpSync(options.sourceConfig, dir, { recursive: true });
  renameSync(join(dir, 'opscrew.json5'), join(dir, 'shipped.json5'));
  const agent = { heartbeat_interval_s: 2, max_age_s: 10 };
  const overlay = {
    $include: './shipped.json5',
    bus: { namespace: options.namespace },
    // The run's own token, passed to every child as OPSCREW_API_TOKEN (never written here).
    http: { api_token: '${OPSCREW_API_TOKEN}' },
    agents: {
      atlas: { ...agent, liveness: { check_interval_s: 2 } },
      'ops-monitor': { ...agent, monitor: { cycle_interval_s: 1 } },
      'jira-resolver': agent,
      // Score a run 10 s after it ends (production waits 5 min for stragglers): the story reads the scorecard.
      'demo-controller': {
        ...agent,
        controller: {
          learning: { settle_s: 10 },
          ...(options.lockLeaseS !== undefined ? { lock: { lease_s: options.lockLeaseS } } : {}),
        },
      },
    },
    integrations: {
      load: {
        kind: options.load.kind,
        ...(options.load.locustApiUrl ? { locust: { api_url: options.load.locustApiUrl } } : {}),
      },
    },
    thresholds: {
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
          L1: { timeout_minutes: 1 },
          L2: { timeout_minutes: 0.5 },
          L3: { timeout_minutes: 1 },
        },
      },
    },
  };
  writeFileSync(
    join(dir, 'opscrew.json5'),
    `// npm run demo: the shipped configuration with compressed timers (see README "npm run demo").\n${JSON.stringify(overlay, null, 2)}\n`,
  );
  return dir;
}
