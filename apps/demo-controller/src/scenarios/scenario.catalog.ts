import { Inject, Injectable } from '@nestjs/common';
import {
  type ControllerSettingsConfig,
  type OpscrewConfig,
  type ScenarioConfig,
} from '@opscrew/config';
import { errorMessage, type RequiredDetection, type ScenarioKind } from '@opscrew/contracts';
import { requireLoopbackUrl } from '@opscrew/integrations';
import { CONTROLLER_CONFIG } from '../demo-controller.tokens';
import { ScenarioNotFoundError, ScenarioSetupError } from './scenario.errors';

/** The part of the crew's config the catalog reads (CONTROLLER_CONFIG): never the bus or the thresholds. */
export type ControllerConfigView = Pick<OpscrewConfig, 'agents' | 'services' | 'integrations'>;

/** Traffic a scenario drives: its own (load) or alongside a flag or fault (background). */
export interface LoadPlan {
  readonly users: number;
  readonly spawn_rate: number;
  /** Base URL of the entry service. */
  readonly host: string;
  readonly entry_service: string;
  /** Name of the load scenario providing the traffic (itself, or the background one). */
  readonly from: string;
}

export interface FaultTarget {
  readonly service: string;
  /** The service's own origin (its scrape target's): the fault API is `<origin>/faults`. */
  readonly base_url: string;
}

/** Everything a run needs, resolved from the config once: what to do, where, and what the crew owes. */
export interface ScenarioPlan {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly description: string;
  /** Configured duration × durationScale. */
  readonly duration_ms: number;
  readonly duration_scale: number;
  /** Services the scenario acts on: every loaded service, or the flag/fault targets. */
  readonly services: readonly string[];
  /** Where an incident is explained by the scenario (targets + their callers, or everything loaded). */
  readonly expected_services: readonly string[];
  readonly expected_symptoms: readonly string[];
  /** Detections owed whatever happens (an injected flag or fault); load adds its own at the end. */
  readonly required: readonly RequiredDetection[];
  readonly remediation_expected: boolean;
  readonly escalation_expected: boolean;
  readonly hold_lock: boolean;
  readonly precondition?: string;
  readonly load?: LoadPlan;
  readonly flag?: { readonly name: string; readonly variant: string };
  readonly fault?: { readonly name: string; readonly targets: readonly FaultTarget[] };
}

/** What `GET /scenarios` lists about one scenario. */
export interface ScenarioSummary {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly description: string;
  readonly duration_s: number;
  readonly users?: number;
  readonly spawn_rate?: number;
  readonly hold_lock: boolean;
  readonly precondition?: string;
  readonly background_load?: string;
  readonly flag?: { readonly name: string; readonly variant: string };
  readonly fault?: string;
  readonly services: readonly string[];
  readonly expected: {
    readonly services: readonly string[];
    readonly symptoms: readonly string[];
    readonly remediation_expected: boolean;
    readonly escalation_expected: boolean;
  };
}

/**
 * The configured scenarios as runnable plans. Load goes through the entry
 * service (the shop's frontend) to every watched service with a scrape target,
 * so a load scenario acts on (and locks) all of them.
 */
@Injectable()
export class ScenarioCatalog {
  private readonly controller: ControllerSettingsConfig;

  constructor(@Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfigView) {
    const controller = config.agents.get('demo-controller')?.controller;
    if (!controller) throw new Error('agents.demo-controller.controller is required');
    this.controller = controller;
  }

  names(): string[] {
    return [...this.controller.scenarios.keys()];
  }

  has(name: string): boolean {
    return this.controller.scenarios.has(name);
  }

  /** Every watched service the load reaches: those with a scrape target, else all watched. */
  loadedServices(): string[] {
    const targets = this.config.integrations.metrics.scrape?.targets;
    const watched = [...this.config.services.watched.keys()];
    if (!targets) return watched;
    return watched.filter((service) => targets[service] !== undefined);
  }

  summaries(): ScenarioSummary[] {
    return [...this.controller.scenarios].map(([name, scenario]) => ({
      name,
      kind: scenario.kind,
      description: scenario.description,
      duration_s: scenario.duration_s,
      ...(scenario.users !== undefined ? { users: scenario.users } : {}),
      ...(scenario.spawn_rate !== undefined ? { spawn_rate: scenario.spawn_rate } : {}),
      hold_lock: scenario.hold_lock,
      ...(scenario.precondition ? { precondition: scenario.precondition } : {}),
      ...(scenario.background_load ? { background_load: scenario.background_load } : {}),
      ...(scenario.flag
        ? { flag: { name: scenario.flag.name, variant: scenario.flag.variant } }
        : {}),
      ...(scenario.fault ? { fault: scenario.fault } : {}),
      services: this.actedOn(scenario),
      expected: {
        services: scenario.expected.services,
        symptoms: scenario.expected.symptoms,
        remediation_expected: scenario.expected.remediation_expected,
        escalation_expected: scenario.expected.escalation_expected,
      },
    }));
  }

  /** The plan of `name`; durations scaled by `durationScale` (0 < scale ≤ 1). */
  plan(name: string, durationScale = 1): ScenarioPlan {
    const scenario = this.controller.scenarios.get(name);
    if (!scenario) throw new ScenarioNotFoundError(name, this.names());
    if (!(durationScale > 0 && durationScale <= 1))
      throw new ScenarioSetupError(`durationScale must be in (0, 1], got ${durationScale}`);
    const services = this.actedOn(scenario);
    const expected = scenario.expected;
    const explicit = expected.services.length > 0 ? expected.services : scenario.target_services;
    const base = {
      name,
      kind: scenario.kind,
      description: scenario.description,
      duration_ms: Math.max(1, Math.round(scenario.duration_s * 1000 * durationScale)),
      duration_scale: durationScale,
      services,
      expected_symptoms: expected.symptoms,
      remediation_expected: expected.remediation_expected,
      escalation_expected: expected.escalation_expected,
      hold_lock: scenario.hold_lock,
      ...(scenario.precondition ? { precondition: scenario.precondition } : {}),
    };
    if (scenario.kind === 'load') {
      return {
        ...base,
        // Load reaches everything: an incident on any loaded service may be its doing.
        expected_services: services,
        required: [],
        load: this.loadPlan(name, scenario),
      };
    }
    const background = scenario.background_load
      ? this.controller.scenarios.get(scenario.background_load)
      : undefined;
    const plan = {
      ...base,
      expected_services: this.withCallers(explicit),
      // An injected failure is certain: each target service owes one detection, by any of the
      // expected symptoms (a leak shows as errors or as latency; one incident is the right count).
      required: explicit.flatMap((service) => {
        const [symptom, ...others] = expected.symptoms;
        if (symptom === undefined) return [];
        return [
          {
            service,
            symptom,
            ...(others.length > 0 ? { or_symptoms: others } : {}),
            satisfied_by: [service],
            because:
              `${scenario.kind} ${scenario.flag?.name ?? scenario.fault ?? ''} injected on ${service}`.replace(
                /\s+/g,
                ' ',
              ),
          },
        ];
      }),
      ...(background && scenario.background_load
        ? { load: this.loadPlan(scenario.background_load, background) }
        : {}),
    };
    if (scenario.kind === 'flag') {
      if (!scenario.flag)
        throw new ScenarioSetupError(`scenario ${name}: a flag scenario needs flag`);
      return { ...plan, flag: { name: scenario.flag.name, variant: scenario.flag.variant } };
    }
    if (!scenario.fault)
      throw new ScenarioSetupError(`scenario ${name}: a fault scenario needs fault`);
    return {
      ...plan,
      fault: {
        name: scenario.fault,
        targets: scenario.target_services.map((service) => ({
          service,
          base_url: this.serviceOrigin(service, `scenario ${name}: fault target ${service}`),
        })),
      },
    };
  }

  private actedOn(scenario: ScenarioConfig): string[] {
    if (scenario.kind === 'load') return this.loadedServices();
    return scenario.target_services.length > 0
      ? scenario.target_services
      : scenario.expected.services;
  }

  private loadPlan(name: string, scenario: ScenarioConfig): LoadPlan {
    if (scenario.users === undefined || scenario.spawn_rate === undefined)
      throw new ScenarioSetupError(`scenario ${name}: a load scenario needs users and spawn_rate`);
    const entry = this.controller.entry_service;
    return {
      users: scenario.users,
      spawn_rate: scenario.spawn_rate,
      host: this.controller.load_host ?? this.serviceOrigin(entry, `load entry service ${entry}`),
      entry_service: entry,
      from: name,
    };
  }

  /**
   * `http://127.0.0.1:7102` from the scrape target `http://127.0.0.1:7102/metrics`: loopback,
   * or a host named in `controller.fault_hosts`.
   */
  private serviceOrigin(service: string, what: string): string {
    const target = this.config.integrations.metrics.scrape?.targets[service];
    if (!target)
      throw new ScenarioSetupError(
        `${what}: no scrape target for "${service}" in integrations.metrics.scrape.targets (its origin is where the shop serves it)`,
      );
    try {
      const url = new URL(target);
      // Listed by name in controller.fault_hosts (containers); everything else must be loopback.
      if (this.controller.fault_hosts?.includes(url.hostname)) return url.origin;
      return requireLoopbackUrl(target, what).origin;
    } catch (error) {
      throw new ScenarioSetupError(errorMessage(error));
    }
  }

  /** The services plus every watched service that (transitively) calls one: failures propagate to callers. */
  private withCallers(services: readonly string[]): string[] {
    const result = new Set(services);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [name, service] of this.config.services.watched) {
        if (!result.has(name) && service.depends_on.some((dependency) => result.has(dependency))) {
          result.add(name);
          grew = true;
        }
      }
    }
    return [...result];
  }
}
