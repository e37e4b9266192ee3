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
 * at once) — and, one level up, a symptom blamed on such a held service (frontend's errors
 * blamed on recommendation while recommendation's own waits). Each later evaluation
 * re-attributes it against that cycle's trouble: blamed on a service not itself waiting →
 * released as that service's impact; still its own after `cycles` → released as its own, with
 * the most severe reading seen. Nothing held is dropped, only delayed: a symptom that lasted one
 * window is still reported `cycles` evaluations later.
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
   * was), with what is held released or kept back: released symptoms first, then this cycle's
   * in their order.
   */
  pass(
    raw: readonly Anomaly[],
    attributed: readonly Anomaly[],
    at: string,
    attribute: Attribute,
  ): Anomaly[] {
    const holdable = (anomaly: Anomaly): boolean =>
      !anomaly.informational && this.propagates(anomaly);
    const ownNow = new Map<string, Anomaly>();
    attributed.forEach((anomaly, i) => {
      if (anomaly === raw[i] && holdable(anomaly)) ownNow.set(key(anomaly), anomaly);
    });

    const released: Anomaly[] = [];
    const stillHeld = new Map<string, Held>();
    /** Carried-over symptoms now blamed on someone: decided once we know who still waits. */
    const blamedLater: Array<{ fingerprint: string; entry: Held; blamed: Anomaly }> = [];
    for (const [fingerprint, entry] of this.held) {
      const [blamed] = attribute([entry.anomaly], entry.at);
      if (blamed && blamed !== entry.anomaly) {
        blamedLater.push({ fingerprint, entry, blamed });
        continue;
      }
      const current = ownNow.get(fingerprint);
      const worst = current && moreSevere(current, entry.anomaly) ? current : entry.anomaly;
      if (entry.waited + 1 >= this.cycles) released.push(worst);
      else stillHeld.set(fingerprint, { anomaly: worst, at: entry.at, waited: entry.waited + 1 });
    }

    // This cycle's own readings: merged into their held symptom above, held when new, or passed.
    const decided = new Map<number, Anomaly>();
    attributed.forEach((anomaly, i) => {
      if (anomaly !== raw[i] || !holdable(anomaly)) return;
      const fingerprint = key(anomaly);
      if (this.held.has(fingerprint)) return;
      const ongoing = this.reportedLast.has(fingerprint);
      if (this.cycles > 0 && !ongoing && this.hasDependencies(anomaly.service))
        stillHeld.set(fingerprint, { anomaly, at, waited: 0 });
      else decided.set(i, anomaly);
    });

    // Who still waits for a dependency's reading: a symptom blamed on one of them waits too.
    const waiting = new Set([...stillHeld.values()].map((entry) => entry.anomaly.service));
    for (const { fingerprint, entry, blamed } of blamedLater) {
      if (waiting.has(blamed.service) && entry.waited + 1 < this.cycles)
        stillHeld.set(fingerprint, { ...entry, waited: entry.waited + 1 });
      else released.push(blamed);
    }

    const current: Anomaly[] = [];
    attributed.forEach((anomaly, i) => {
      const original = raw[i];
      if (anomaly === original && holdable(anomaly)) {
        const passed = decided.get(i);
        if (passed) current.push(passed);
        return;
      }
      const fingerprint = original ? key(original) : '';
      if (original && holdable(original) && waiting.has(anomaly.service)) {
        if (!stillHeld.has(fingerprint))
          stillHeld.set(fingerprint, { anomaly: original, at, waited: 0 });
        return;
      }
      current.push(anomaly);
    });

    this.held = stillHeld;
    const out = [...released, ...current];
    this.reportedLast = new Set(
      out.filter((anomaly) => anomaly.rule !== 'dependency' && !anomaly.informational).map(key),
    );
    return out;
  }

  /** Forgets what is held and what was reported: a new term starts from its own readings. */
  clear(): void {
    this.held.clear();
    this.reportedLast.clear();
  }

  /** Services with a symptom held back right now (what the specs check the hold by). */
  heldServices(): string[] {
    return [...new Set([...this.held.values()].map((entry) => entry.anomaly.service))];
  }
}

function moreSevere(a: Anomaly, b: Anomaly): boolean {
  return severityRank(a.severity) > severityRank(b.severity);
}
