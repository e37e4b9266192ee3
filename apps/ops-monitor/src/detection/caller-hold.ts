import { severityRank } from './severity.classifier';
import { type Anomaly } from './anomaly';

interface Held {
  /** The most severe reading while held. */
  readonly anomaly: Anomaly;
  /** When it was first seen: a later attribution records the caller's impact from then. */
  readonly at: string;
  /** Evaluations it has waited so far. */
  readonly waited: number;
}

/** Re-attributes anomalies against the current cycle's trouble, stamping impact with `at`. */
export type Attribute = (anomalies: readonly Anomaly[], at: string) => Anomaly[];

const key = (anomaly: Anomaly): string => `${anomaly.service}\u0000${anomaly.symptom}`;

/**
 * A caller's symptom seen before its dependency's, held for `cycles` evaluations so the
 * dependency's own reading can claim it — Alertmanager's `group_wait` for the same reason: an
 * inhibition needs its source present.
 *
 * Why it happens: a caller's call times out at the same moment the dependency's request fails
 * (recommendation's 1 s timeout against product-catalog's 1 s pool-acquire timeout), and the
 * dependency records its failure a few milliseconds later. When a scrape falls between the two,
 * the caller's window holds errors and the dependency's holds nothing yet: the caller would open
 * an incident of its own (or reopen its last one) and the crew would restart a healthy service.
 * A CI demo run did exactly that to recommendation during product-catalog's pool exhaustion.
 *
 * Held: a propagating symptom (errors, latency) on a service that has dependencies, with no
 * culprit found, that was not already reported the evaluation before (an ongoing symptom passes
 * at once). Each later evaluation re-attributes it against that cycle's trouble: blamed on a
 * dependency → released as that dependency's impact; still its own after `cycles` → released as
 * its own, with the most severe reading seen. Nothing held is dropped, only delayed: a symptom
 * that lasted one window is still reported one evaluation later.
 */
export class CallerHold {
  private held = new Map<string, Held>();
  /** Fingerprints reported as a service's own symptom in the last evaluation. */
  private reportedLast = new Set<string>();

  constructor(
    /** Evaluations to wait; 0 holds nothing. */
    private readonly cycles: number,
    private readonly hasDependencies: (service: string) => boolean,
    /** Whether a symptom travels from a dependency to its callers. */
    private readonly propagates: (anomaly: Anomaly) => boolean,
  ) {}

  /**
   * This evaluation's anomalies, after attribution (`attributed[i]` is `raw[i]` blamed or as it
   * was), with what is held released or kept back.
   */
  pass(
    raw: readonly Anomaly[],
    attributed: readonly Anomaly[],
    at: string,
    attribute: Attribute,
  ): Anomaly[] {
    const isOwn = (anomaly: Anomaly, i: number): boolean =>
      anomaly === raw[i] && !anomaly.informational && this.propagates(anomaly);
    const ownNow = new Map<string, Anomaly>();
    attributed.forEach((anomaly, i) => {
      if (isOwn(anomaly, i)) ownNow.set(key(anomaly), anomaly);
    });

    const out: Anomaly[] = [];
    const stillHeld = new Map<string, Held>();
    /** This cycle's readings merged into a held symptom (reported with it, or held with it). */
    const merged = new Set<string>();
    for (const [fingerprint, entry] of this.held) {
      const [blamed] = attribute([entry.anomaly], entry.at);
      if (blamed && blamed !== entry.anomaly) {
        // Its dependency has shown its own trouble: the caller's symptom is that fault's impact,
        // from when it was first seen (this cycle's reading, if any, was blamed the same way).
        out.push(blamed);
        continue;
      }
      const current = ownNow.get(fingerprint);
      if (current) merged.add(fingerprint);
      const worst = current && moreSevere(current, entry.anomaly) ? current : entry.anomaly;
      if (entry.waited + 1 >= this.cycles) out.push(worst);
      else stillHeld.set(fingerprint, { anomaly: worst, at: entry.at, waited: entry.waited + 1 });
    }

    attributed.forEach((anomaly, i) => {
      if (!isOwn(anomaly, i)) {
        out.push(anomaly);
        return;
      }
      const fingerprint = key(anomaly);
      if (merged.has(fingerprint)) return;
      const ongoing = this.reportedLast.has(fingerprint);
      if (this.cycles > 0 && !ongoing && this.hasDependencies(anomaly.service))
        stillHeld.set(fingerprint, { anomaly, at, waited: 0 });
      else out.push(anomaly);
    });

    this.held = stillHeld;
    this.reportedLast = new Set(
      out.filter((anomaly) => anomaly.rule !== 'dependency' && !anomaly.informational).map(key),
    );
    return out;
  }

  /** Services with a symptom held back right now (for logs and tests). */
  heldServices(): string[] {
    return [...new Set([...this.held.values()].map((entry) => entry.anomaly.service))];
  }
}

function moreSevere(a: Anomaly, b: Anomaly): boolean {
  return severityRank(a.severity) > severityRank(b.severity);
}
