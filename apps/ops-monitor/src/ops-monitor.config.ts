import { type Provider } from '@nestjs/common';
import {
  LOADED_CONFIG,
  type LoadedConfig,
  type MonitorSettingsConfig,
  type OpscrewConfig,
  type QualityTargetsConfig,
} from '@opscrew/config';
import { QueryRateLimit } from '@opscrew/guardrails';
import { monitoredServices } from './cycle/monitored-services';
import { type IncidentManagerOptions } from './incidents/sighting';
import {
  INCIDENT_OPTIONS,
  MONITOR_CONFIG,
  MONITORED_SERVICES,
  QUALITY_TARGETS,
  TRIAGE_SEARCHES,
} from './ops-monitor.tokens';

/**
 * The part of the crew's config ops-monitor's classes read (MONITOR_CONFIG): the watched
 * services, the thresholds and the integrations — never the agents' settings, the bus or the
 * MCP servers. Each class narrows it further in its constructor's parameter type.
 */
export type MonitorConfigView = Pick<OpscrewConfig, 'services' | 'thresholds' | 'integrations'>;

/** `agents.ops-monitor.monitor`: required, checked when the module is built. */
export function monitorSettingsOf(config: OpscrewConfig): MonitorSettingsConfig {
  const monitor = config.agents.get('ops-monitor')?.monitor;
  if (!monitor) throw new Error('agents.ops-monitor.monitor is required');
  return monitor;
}

/** The slice tokens of ops-monitor.tokens.ts, one small factory each, from the loaded config. */
export const monitorConfigProviders: Provider[] = [
  {
    provide: MONITOR_CONFIG,
    inject: [LOADED_CONFIG],
    useFactory: ({ config }: LoadedConfig): MonitorConfigView => ({
      services: config.services,
      thresholds: config.thresholds,
      integrations: config.integrations,
    }),
  },
  {
    provide: QUALITY_TARGETS,
    inject: [LOADED_CONFIG],
    useFactory: ({ config }: LoadedConfig): QualityTargetsConfig =>
      monitorSettingsOf(config).quality_targets,
  },
  {
    provide: MONITORED_SERVICES,
    inject: [MONITOR_CONFIG],
    useFactory: (config: MonitorConfigView): string[] => monitoredServices(config),
  },
  {
    provide: INCIDENT_OPTIONS,
    inject: [MONITOR_CONFIG],
    useFactory: ({ thresholds }: MonitorConfigView): IncidentManagerOptions => ({
      dedupWindowMs: thresholds.alerting.dedup.window_minutes * 60_000,
      keyFields: thresholds.alerting.dedup.key_fields,
    }),
  },
  {
    // A third of the SigNoz query budget at most: detection keeps the rest.
    provide: TRIAGE_SEARCHES,
    inject: [MONITOR_CONFIG],
    useFactory: ({ thresholds }: MonitorConfigView): QueryRateLimit =>
      QueryRateLimit.perMinute(
        'triage.searches',
        Math.max(2, Math.floor(thresholds.guardrails.rate_limits.signoz_queries_per_minute / 3)),
      ),
  },
];
