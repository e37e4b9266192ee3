/**
 * Injection tokens of ops-monitor's ports, config slices and buckets. Its own classes are
 * their own tokens (`@Injectable()`): these are for what has no class of its own.
 */
export const OUTBOX = Symbol('OUTBOX');
/** The IncidentAnnouncer IncidentManager hands every new incident to (the outbox's). */
export const INCIDENT_ANNOUNCER = Symbol('INCIDENT_ANNOUNCER');

// Narrow slices of the loaded config (ops-monitor.providers.ts): what ops-monitor's classes read.
/** MonitorConfigView: the crew's services, thresholds and integrations (not agents, bus, mcp). */
export const MONITOR_CONFIG = Symbol('MONITOR_CONFIG');
/** `agents.ops-monitor.monitor.quality_targets`. */
export const QUALITY_TARGETS = Symbol('QUALITY_TARGETS');
/** The services the metrics source is expected to cover (monitoredServices). */
export const MONITORED_SERVICES = Symbol('MONITORED_SERVICES');
/** IncidentManagerOptions: the dedup window and key fields. */
export const INCIDENT_OPTIONS = Symbol('INCIDENT_OPTIONS');
/** The triage's QueryRateLimit: its share of the SigNoz query budget. */
export const TRIAGE_SEARCHES = Symbol('TRIAGE_SEARCHES');

// The buckets ops-monitor reads or writes, opened once (TypedKv of their record class).
export const FINGERPRINTS_KV = Symbol('FINGERPRINTS_KV');
export const LOCKS_KV = Symbol('LOCKS_KV');
export const LEARNING_KV = Symbol('LEARNING_KV');
/** DriftStateStore: ops-monitor's drift snapshots in the `learning` bucket (its own keys). */
export const DRIFT_STATE_STORE = Symbol('DRIFT_STATE_STORE');
/** UsualLevelsStore: the services' usual levels and relative references (`ops-monitor.usual.*`). */
export const USUAL_LEVELS_STORE = Symbol('USUAL_LEVELS_STORE');
/** The `capacity` bucket (CapacityHistoryRecorder). */
export const CAPACITY_KV = Symbol('CAPACITY_KV');
/** The EventPublisher relaying Alertmanager's reports (source `external`, named `alertmanager`). */
export const EXTERNAL_PUBLISHER = Symbol('EXTERNAL_PUBLISHER');

// Clocks a test module may provide; absent (as in the app), the system clock.
/** `() => number` (epoch ms): DetectionTriage's search window, DriftPersistence's intervals. */
export const EPOCH_CLOCK = Symbol('EPOCH_CLOCK');
/** `() => Date`: ReportIntake's clock (how old its view of the locks is). */
export const WALL_CLOCK = Symbol('WALL_CLOCK');
/** The CycleReporter MonitorCycle reports data quality and heartbeats to. */
export const CYCLE_REPORTER = Symbol('CYCLE_REPORTER');
/** TypedKv<SloLedger>: the `slo` bucket (SLI counts per service). */
export const SLO_KV = Symbol('SLO_KV');
/** SloSettings: thresholds.slo resolved (objectives, burn alerts with the workbook's defaults). */
export const SLO_SETTINGS = Symbol('SLO_SETTINGS');
