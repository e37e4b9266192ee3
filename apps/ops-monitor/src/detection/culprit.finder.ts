import { type Symptom } from '@opscrew/config';
import { type Severity } from '@opscrew/contracts';
import { type MetricName } from './anomaly';

/** Why a service counts as in trouble this cycle, strongest first. */
export type TroubleKind = 'restarting' | 'anomaly' | 'incident' | 'elevated';

/** What the detection engine knows about one service's trouble this cycle. */
export interface Trouble {
  readonly kind: TroubleKind;
  /** Its own symptom: the anomaly's, or the elevated metric's (`high_latency`, `high_error_rate`). */
  readonly symptom: Symptom;
  readonly severity: Severity;
  /** The measurement behind it (absent while the crew restarts it and nothing was measured). */
  readonly metric?: MetricName;
  readonly value?: number;
  /** Its usual level of that metric (elevated), or the bound it crossed (anomaly). */
  readonly baseline?: number;
  /** Value over its usual level (elevated only): the larger, the likelier the cause. */
  readonly ratio?: number;
  /** One human clause: why it is in trouble. */
  readonly why: string;
}

export interface Culprit {
  readonly service: string;
  readonly trouble: Trouble;
  /** The services the symptom travelled through, caller first, culprit last. */
  readonly path: readonly string[];
}

const KIND_RANK: Readonly<Record<TroubleKind, number>> = {
  restarting: 4,
  anomaly: 3,
  incident: 2,
  elevated: 1,
};

/**
 * Follows the dependency graph from a caller with a symptom to the service most likely at its
 * root: among the services it calls that are in trouble, the one the crew is restarting first,
 * then one with its own anomaly, then one with an incident still being worked, then the most
 * elevated; and from there on down while that
 * service's own dependencies explain it in turn (frontend → checkout → shipping blames shipping).
 * Pure: the engine tells it who is in trouble.
 */
export class CulpritFinder {
  constructor(
    private readonly dependsOn: (service: string) => readonly string[],
    private readonly troubleOf: (service: string) => Trouble | undefined,
  ) {}

  /** The root cause of a symptom on `service`, or null when none of its dependencies is in trouble. */
  find(service: string): Culprit | null {
    const path = [service];
    const visited = new Set(path);
    let current = service;
    let found: Culprit | null = null;
    for (;;) {
      const next = this.worstDependency(current, visited);
      if (!next) return found;
      path.push(next.service);
      visited.add(next.service);
      found = { service: next.service, trouble: next.trouble, path: [...path] };
      current = next.service;
    }
  }

  private worstDependency(
    service: string,
    visited: ReadonlySet<string>,
  ): { service: string; trouble: Trouble } | null {
    let best: { service: string; trouble: Trouble } | null = null;
    for (const dependency of this.dependsOn(service)) {
      // The graph may have cycles (a callback); a service never explains itself.
      if (visited.has(dependency)) continue;
      const trouble = this.troubleOf(dependency);
      if (!trouble) continue;
      if (!best || worse(trouble, best.trouble)) best = { service: dependency, trouble };
    }
    return best;
  }
}

function worse(a: Trouble, b: Trouble): boolean {
  if (KIND_RANK[a.kind] !== KIND_RANK[b.kind]) return KIND_RANK[a.kind] > KIND_RANK[b.kind];
  return (a.ratio ?? 0) > (b.ratio ?? 0);
}
