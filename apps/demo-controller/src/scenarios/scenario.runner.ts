// Over ~300 lines: one scenario run's lifecycle in order (preconditions, locks, effects, the abort
// paths, the result and its announcement), which reads best as one piece; the effects are in their own files.
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type AlertingConfig } from '@opscrew/config';
import {
  errorMessage,
  type LoadSummary,
  MAX_REQUIRED_DETECTIONS,
  type RequiredDetection,
  type ScenarioOutcome,
  type ScenarioRunRecord,
  type SkippedLock,
  SUBJECTS,
} from '@opscrew/contracts';
import { FLAGS, type FlagsPort, LOAD_DRIVER, type LoadDriver } from '@opscrew/integrations';
import { EventPublisher, LeaseService } from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import {
  HOLDER,
  LOGGER,
  RUN_JOURNAL,
  SCENARIO_OPTIONS,
  SCENARIO_SLOT,
  SCHEDULER,
} from '../demo-controller.tokens';
import { confirmedByLoad } from '../learning/load-confirmation';
import { type RunJournal } from '../learning/run-journal';
import { type LockLeases, ServiceLockSet } from '../locks/service-lock.set';
import { type BusPublisher } from '../support/bus-publisher';
import { type Scheduler, sleep, systemScheduler } from '../support/scheduler';
import { FaultEffect } from './fault.effect';
import { FlagEffect } from './flag.effect';
import { LoadEffect } from './load.effect';
import { type AuditedRun, ScenarioAudit } from './scenario.audit';
import { ScenarioCatalog, type ScenarioPlan, type ScenarioSummary } from './scenario.catalog';
import { type ScenarioEffect } from './scenario.effect';
import {
  ScenarioBusyError,
  ScenarioPreconditionError,
  ScenarioSetupError,
} from './scenario.errors';
import { type ScenarioSlot, type SlotHold } from './scenario.slot';
import { ShopFaultClient } from './shop-fault.client';

/**
 * A precondition run counts for an hour: recovery checks the after-effects of
 * a stress test, and an hour later there is nothing left to recover from.
 */
export const PRECONDITION_MAX_AGE_MS = 60 * 60 * 1000;
/** Scenario names are cut to this in run ids, so `<holder>:<run id>` stays within 128 characters. */
const RUN_ID_NAME_CHARS = 40;

export interface RunOptions {
  /** Multiplies every duration (0 < scale ≤ 1): 0.05 turns a 5-minute scenario into 15 s. */
  readonly durationScale?: number;
}

export interface ScenarioRunResult {
  readonly run_id: string;
  readonly scenario: string;
  readonly kind: ScenarioPlan['kind'];
  readonly outcome: ScenarioOutcome;
  readonly started_at: string;
  readonly finished_at: string;
  readonly services: readonly string[];
  /** Services whose lock the run held. */
  readonly locked: readonly string[];
  readonly skipped_locks: readonly SkippedLock[];
  readonly load?: LoadSummary;
  /** Detections the crew owes for this run (scored when the run's window closes). */
  readonly required: readonly RequiredDetection[];
  readonly note?: string;
}

export interface ScenarioHandle {
  readonly run_id: string;
  readonly scenario: string;
  readonly started_at: string;
  /** When the scenario will end by itself. */
  readonly ends_at: string;
  readonly locked: readonly string[];
  readonly skipped_locks: readonly SkippedLock[];
  /** Settles when the scenario is over and everything it did is undone; never rejects. */
  readonly done: Promise<ScenarioRunResult>;
}

export interface RunningScenario {
  readonly run_id: string;
  readonly scenario: string;
  readonly kind: ScenarioPlan['kind'];
  readonly started_at: string;
  readonly ends_at: string;
  readonly services: readonly string[];
  readonly locked: readonly string[];
  readonly effects: readonly string[];
}

/** The runner's slice of the config (SCENARIO_OPTIONS). */
export interface ScenarioRunnerOptions {
  readonly lock: { readonly lease_ms: number; readonly max_hold_ms: number };
  /** Entry-service thresholds decide what a load run's measurement confirms. */
  readonly alerting: AlertingConfig;
  /** Agent mode `observe`: runs are announced and journalled, nothing is done to the system. */
  readonly observe?: boolean;
}

/** Everything the runner works with, gathered once in its constructor. */
interface ScenarioRunnerDeps extends ScenarioRunnerOptions {
  readonly catalog: ScenarioCatalog;
  readonly load: LoadDriver;
  readonly flags: FlagsPort;
  readonly faults: ShopFaultClient;
  readonly leases: LockLeases;
  readonly publisher: BusPublisher;
  readonly journal: RunJournal;
  readonly scheduler: Scheduler;
  readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  /** demo-controller's audit trail: what each run did to the system. */
  readonly audit: ScenarioAudit;
  /** Unique per process: the lease holder is `<holder>:<run id>`. */
  readonly holder: string;
  /** The crew-wide one-scenario slot (replicas); null: this process is the only runner. */
  readonly slot: ScenarioSlot | null;
}

interface Active {
  readonly run_id: string;
  readonly scenario: string;
  abort: AbortController | null;
  info: RunningScenario | null;
  done: Promise<ScenarioRunResult> | null;
}

/**
 * Runs one configured scenario at a time (so every incident belongs to
 * exactly one run): checks the precondition, takes the service locks for
 * deliberate load (`hold_lock`), announces `scenario.started` with what the
 * crew should do, applies the effects (load, flag, fault), waits the
 * (scaled) duration, undoes everything in reverse order, releases the locks
 * and announces `scenario.finished`. Ground truth goes to the journal, which
 * scores the crew once the run's window closes.
 */
@Injectable()
export class ScenarioRunner {
  private active: Active | null = null;
  /** The crew-wide slot of each run this process holds it for (released in `finish`). */
  private readonly slots = new Map<string, SlotHold>();
  private readonly deps: ScenarioRunnerDeps;

  constructor(
    catalog: ScenarioCatalog,
    @Inject(LOAD_DRIVER) load: LoadDriver,
    @Inject(FLAGS) flags: FlagsPort,
    faults: ShopFaultClient,
    @Inject(LeaseService) leases: LockLeases,
    @Inject(EventPublisher) publisher: BusPublisher,
    @Inject(RUN_JOURNAL) journal: RunJournal,
    @Inject(HOLDER) holder: string,
    @Inject(SCENARIO_OPTIONS) options: ScenarioRunnerOptions,
    @Optional() @Inject(SCHEDULER) scheduler: Scheduler = systemScheduler,
    @Optional()
    @Inject(LOGGER)
    logger: Pick<Logger, 'log' | 'warn' | 'error'> = new Logger('Scenarios'),
    /** AgentAuditModule's trail (the module always gives it; absent in specs that do not look). */
    @Optional() @Inject(AUDIT) audit: AuditSink | null = null,
    /** The module always gives it; absent in specs of one runner. */
    @Optional() @Inject(SCENARIO_SLOT) slot: ScenarioSlot | null = null,
  ) {
    this.deps = {
      ...options,
      catalog,
      load,
      flags,
      faults,
      leases,
      publisher,
      journal,
      scheduler,
      logger,
      audit: new ScenarioAudit(audit, logger),
      holder,
      slot,
    };
  }

  /** Runs `name` to the end; rejects if it could not start (unknown, busy, precondition, setup). */
  async run(name: string, options: RunOptions = {}): Promise<ScenarioRunResult> {
    return (await this.start(name, options)).done;
  }

  /**
   * Starts `name` and resolves once it is underway (locks taken, effects
   * applied), with a handle whose `done` settles at the end.
   */
  async start(name: string, options: RunOptions = {}): Promise<ScenarioHandle> {
    const { catalog, scheduler, audit } = this.deps;
    if (this.active) {
      const busy = new ScenarioBusyError(this.active, name);
      await audit.refused(name, busy);
      throw busy;
    }
    const plan = catalog.plan(name, options.durationScale ?? 1);
    if (plan.services.length === 0)
      throw new ScenarioSetupError(`scenario ${name}: acts on no service (no scrape targets?)`);
    const runId = `${name.slice(0, RUN_ID_NAME_CHARS)}-${compactTime(scheduler.now())}-${randomBytes(2).toString('hex')}`;
    const active: Active = { run_id: runId, scenario: name, abort: null, info: null, done: null };
    // Claimed before the first await: two concurrent starts cannot both pass the busy check.
    this.active = active;
    let hold: SlotHold | null = null;
    try {
      // Then the crew-wide slot: another replica's run refuses this one (ScenarioBusyError).
      hold =
        (await this.deps.slot?.take(name, runId, (reason) => {
          this.deps.logger.error(`${runId}: ${reason}; ending the run`);
          active.abort?.abort(new Error(reason));
        })) ?? null;
      await this.checkPrecondition(plan);
    } catch (error) {
      await hold?.release();
      if (this.active === active) this.active = null;
      await this.deps.audit.refused(name, error);
      throw error;
    }
    if (hold !== null) this.slots.set(runId, hold);
    try {
      return await this.launch(plan, active);
    } catch (error) {
      if (this.active === active) this.active = null;
      throw error;
    }
  }

  /** Ends the running scenario early (outcome `aborted`) and waits until it is undone. */
  async abort(reason = 'aborted on request'): Promise<ScenarioRunResult | null> {
    const active = this.active;
    if (!active?.done) return null;
    active.abort?.abort(new Error(reason));
    return active.done;
  }

  status(): RunningScenario | null {
    return this.active?.info ?? null;
  }

  list(): ScenarioSummary[] {
    return this.deps.catalog.summaries();
  }

  private async checkPrecondition(plan: ScenarioPlan): Promise<void> {
    if (!plan.precondition) return;
    const last = await this.deps.journal.lastCompleted(plan.precondition);
    const age = last ? this.deps.scheduler.now() - Date.parse(last.finished_at) : Infinity;
    if (!last || age > PRECONDITION_MAX_AGE_MS)
      throw new ScenarioPreconditionError(
        `scenario ${plan.name} needs a completed "${plan.precondition}" run within the last ` +
          `${PRECONDITION_MAX_AGE_MS / 60_000} min first` +
          (last
            ? ` (the last one, ${last.run_id}, finished at ${last.finished_at})`
            : ' (none has completed)') +
          `: run "${plan.precondition}", then "${plan.name}"`,
      );
  }

  private async launch(plan: ScenarioPlan, active: Active): Promise<ScenarioHandle> {
    const { scheduler, journal, publisher, logger, audit } = this.deps;
    const runId = active.run_id;
    const run: AuditedRun = { plan, run_id: runId };
    const abort = new AbortController();
    active.abort = abort;
    const startedAt = new Date(scheduler.now()).toISOString();
    const effects = this.effects(plan);
    await journal.begin(this.record(plan, runId, startedAt));

    const locks = plan.hold_lock && !this.deps.observe ? this.lockSet(plan, run, abort) : null;
    let locked: string[] = [];
    let skipped: SkippedLock[] = [];
    const applied: ScenarioEffect[] = [];
    try {
      if (locks) {
        ({ held: locked, skipped } = await locks.acquire(plan.services));
        for (const entry of skipped)
          await this.quietly(() => journal.recordSkippedLock(runId, entry));
        await audit.locked(run, locked, skipped);
      }
      // Recorded before anything is done to the system: a trail that cannot be written fails the run.
      await audit.started(run, plan.duration_ms);
      await publisher.publish(SUBJECTS.scenarioStarted, {
        scenario: plan.name,
        run_id: runId,
        services: [...plan.services],
        expected: {
          symptoms: [...plan.expected_symptoms],
          remediation_expected: plan.remediation_expected,
          informational_only: plan.hold_lock,
        },
        duration_s: plan.duration_ms / 1000,
      });
      for (const effect of effects) {
        try {
          await effect.apply();
        } catch (error) {
          throw new ScenarioSetupError(
            `scenario ${plan.name}: ${effect.label} failed: ${errorMessage(error)}`,
            { cause: error },
          );
        }
        applied.push(effect);
        logger.log(`${runId}: ${effect.label}`);
        await audit.applied(run, effect);
      }
    } catch (error) {
      const note = errorMessage(error);
      logger.error(`${runId}: ${note}; undoing what was done`);
      await this.finish(plan, runId, startedAt, 'failed', note, applied, locks, skipped);
      throw error instanceof ScenarioSetupError
        ? error
        : new ScenarioSetupError(note, { cause: error });
    }

    const endsAt = new Date(scheduler.now() + plan.duration_ms).toISOString();
    active.info = {
      run_id: runId,
      scenario: plan.name,
      kind: plan.kind,
      started_at: startedAt,
      ends_at: endsAt,
      services: plan.services,
      locked,
      effects: effects.map((effect) => effect.label),
    };
    logger.log(
      `${runId}: running ${plan.name} for ${plan.duration_ms / 1000} s on ${plan.services.join(', ')}` +
        (locks ? `; locked ${locked.join(', ') || 'nothing'}` : '') +
        (skipped.length
          ? `; held by others: ${skipped.map((s) => `${s.service} (${s.held_by})`).join(', ')}`
          : ''),
    );
    const done = (async (): Promise<ScenarioRunResult> => {
      await sleep(scheduler, plan.duration_ms, abort.signal);
      const reason = abort.signal.aborted ? reasonOf(abort.signal) : undefined;
      return this.finish(
        plan,
        runId,
        startedAt,
        reason === undefined ? 'completed' : 'aborted',
        reason,
        applied,
        locks,
        skipped,
      );
    })();
    active.done = done;
    return {
      run_id: runId,
      scenario: plan.name,
      started_at: startedAt,
      ends_at: endsAt,
      locked,
      skipped_locks: skipped,
      done,
    };
  }

  /** Measures, undoes every applied effect (reverse order), releases the locks, announces and journals the end. */
  private async finish(
    plan: ScenarioPlan,
    runId: string,
    startedAt: string,
    outcome: ScenarioOutcome,
    reason: string | undefined,
    applied: ScenarioEffect[],
    locks: ServiceLockSet | null,
    skipped: readonly SkippedLock[],
  ): Promise<ScenarioRunResult> {
    const { scheduler, publisher, journal, logger, audit } = this.deps;
    const run: AuditedRun = { plan, run_id: runId };
    const notes: string[] = reason ? [reason] : [];
    let load: LoadSummary | undefined;
    for (const effect of applied) {
      if (!effect.measure || outcome === 'failed') continue;
      try {
        load = await effect.measure();
      } catch (error) {
        notes.push(`load stats unavailable: ${errorMessage(error)}`);
      }
    }
    for (const effect of [...applied].reverse()) {
      try {
        await effect.revert();
        await audit.reverted(run, effect);
      } catch (error) {
        const message = `undoing ${effect.label} failed: ${errorMessage(error)}`;
        notes.push(message);
        logger.error(`${runId}: ${message}`);
        await audit.reverted(run, effect, error);
      }
    }
    // Load is stopped before the locks go: the crew never sees deliberate load without a lock.
    if (locks) {
      const held = locks.holds().filter((hold) => !hold.released);
      await locks.releaseAll();
      await audit.released(run, [...new Set(held.map((hold) => hold.service))]);
    }
    const finishedAt = new Date(scheduler.now()).toISOString();
    const required = [
      ...plan.required,
      ...(plan.kind === 'load' && load && plan.load && outcome !== 'failed'
        ? confirmedByLoad({
            entry_service: plan.load.entry_service,
            loaded_services: plan.services,
            load,
            alerting: this.deps.alerting,
          })
        : []),
    ];
    const note = notes.join('; ').slice(0, 2000) || undefined;
    await this.quietly(() =>
      publisher.publish(SUBJECTS.scenarioFinished, {
        scenario: plan.name,
        run_id: runId,
        outcome,
        ...(note ? { note } : {}),
      }),
    );
    await this.quietly(() =>
      journal.finish(runId, {
        finished_at: finishedAt,
        outcome,
        ...(note ? { note } : {}),
        ...(load ? { load } : {}),
        required,
      }),
    );
    await audit.ended(run, outcome, note);
    // Everything is undone: the slot goes, and any replica may start the next scenario.
    await this.slots.get(runId)?.release();
    this.slots.delete(runId);
    if (this.active?.run_id === runId) this.active = null;
    logger.log(
      `${runId}: ${plan.name} ${outcome}` +
        (load
          ? ` — ${load.requests} requests, ${(load.fail_ratio * 100).toFixed(1)} % failed, p95 ${Math.round(load.p95_ms)} ms, ${load.rps.toFixed(1)} rps`
          : '') +
        (note ? ` (${note})` : ''),
    );
    return {
      run_id: runId,
      scenario: plan.name,
      kind: plan.kind,
      outcome,
      started_at: startedAt,
      finished_at: finishedAt,
      services: plan.services,
      locked: locks ? [...new Set(locks.holds().map((hold) => hold.service))] : [],
      skipped_locks: [...skipped],
      ...(load ? { load } : {}),
      required,
      ...(note ? { note } : {}),
    };
  }

  private effects(plan: ScenarioPlan): ScenarioEffect[] {
    const effects: ScenarioEffect[] = [];
    if (plan.load) effects.push(new LoadEffect(this.deps.load, plan.load, plan.duration_ms));
    if (plan.flag) effects.push(new FlagEffect(this.deps.flags, plan.flag));
    if (plan.fault) effects.push(new FaultEffect(this.deps.faults, plan.fault));
    if (!this.deps.observe) return effects;
    // Dry run: say what would be done, do nothing.
    return effects.map((effect) => ({
      label: `[observe: not done] ${effect.label}`,
      actions: effect.actions,
      apply: () => Promise.resolve(),
      revert: () => Promise.resolve(),
    }));
  }

  private lockSet(plan: ScenarioPlan, run: AuditedRun, abort: AbortController): ServiceLockSet {
    const { leases, publisher, scheduler, logger, journal, audit } = this.deps;
    const runId = run.run_id;
    return new ServiceLockSet(
      { leases, publisher, scheduler, logger },
      {
        holder: `${this.deps.holder}:${runId}`,
        reason: `${plan.kind} scenario ${plan.name} (${runId})`,
        lease_ms: this.deps.lock.lease_ms,
        max_hold_ms: this.deps.lock.max_hold_ms,
      },
      {
        // The lock pattern: the moment a lock is gone, stop acting — the load ends early.
        onLost: (service, why) => {
          abort.abort(new Error(`lock on ${service}: ${why}`));
          void audit.lost(run, service, why);
        },
        onHold: (hold) =>
          void this.quietly(() => journal.recordLock(runId, { ...hold, own: true })),
      },
    );
  }

  private record(plan: ScenarioPlan, runId: string, startedAt: string): ScenarioRunRecord {
    return {
      run_id: runId,
      scenario: plan.name,
      kind: plan.kind,
      services: [...plan.services],
      expected_services: [...plan.expected_services],
      expected_symptoms: [...plan.expected_symptoms],
      required: plan.required.slice(0, MAX_REQUIRED_DETECTIONS),
      remediation_expected: plan.remediation_expected,
      escalation_expected: plan.escalation_expected,
      informational_only: plan.hold_lock,
      started_at: startedAt,
      locks: [],
      skipped_locks: [],
      incidents: [],
      remediations: [],
      dropped_observations: 0,
      scored: false,
    };
  }

  /** Bookkeeping that must not break a run (the scenario itself matters more): logged on failure. */
  private async quietly(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.deps.logger.warn(`bookkeeping failed: ${errorMessage(error)}`);
    }
  }
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

/** `20260131T120000` (UTC): sortable and token-safe. */
function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15);
}
