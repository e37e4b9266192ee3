/**
 * Injection tokens of demo-controller's config slices, buckets and ports. Its own classes are
 * their own tokens (`@Injectable()`): these are for what has no class of its own.
 */

// Narrow slices of the loaded config (demo-controller.config.ts): what its classes read.
/** ControllerConfigView: the crew's agents, services and integrations (ScenarioCatalog). */
export const CONTROLLER_CONFIG = Symbol('CONTROLLER_CONFIG');
/** LearningOptions: `controller.learning`, the thresholds, the sandbox and the own holder. */
export const LEARNING_OPTIONS = Symbol('LEARNING_OPTIONS');
/** ScenarioRunnerOptions: `controller.lock` in ms, the alerting thresholds, observe mode. */
export const SCENARIO_OPTIONS = Symbol('SCENARIO_OPTIONS');
/** `integrations.runtime.process.token` or null: the shop's fault API bearer (ShopFaultClient). */
export const SHOP_TOKEN = Symbol('SHOP_TOKEN');
/** This process's lease holder id (string, unique per process): `<holder>:<run id>` per run. */
export const HOLDER = Symbol('HOLDER');

/** LearningBuckets: the learning bucket, opened once per record class. */
export const LEARNING_BUCKETS = Symbol('LEARNING_BUCKETS');
/** The RunJournal ScenarioRunner writes ground truth to (LearningService). */
export const RUN_JOURNAL = Symbol('RUN_JOURNAL');

// Ports a test module may provide; absent (as in the app), the real ones.
/** Scheduler (clock + timers); absent, systemScheduler. */
export const SCHEDULER = Symbol('SCHEDULER');
/** `Pick<Logger, 'log' | 'warn' | 'error'>`; absent, a Nest Logger named after the class's area. */
export const LOGGER = Symbol('LOGGER');
/** HttpFetch for ShopFaultClient; absent, the global fetch. */
export const HTTP_FETCH = Symbol('HTTP_FETCH');

/**
 * `ReportSection[]` appended to the weekly report (optional; absent, none): a feature adds its
 * part of the report (a capacity forecast) by providing this, not by editing the report.
 */
export const WEEKLY_REPORT_SECTIONS = Symbol('WEEKLY_REPORT_SECTIONS');

/** The crew-wide one-scenario slot (ScenarioSlot) in the `leaders` bucket. */
export const SCENARIO_SLOT = Symbol('SCENARIO_SLOT');
