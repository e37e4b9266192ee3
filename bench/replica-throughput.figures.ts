/** What one storm at one replica count measured (the bench collects, this computes). */
export interface ReplicaRound {
  /** Processes of ops-monitor and of jira-resolver each. */
  readonly replicas: number;
  readonly incidents: number;
  /** From the first report published to the last incident final and ticketed; null: not all were within the bound. */
  readonly seconds: number | null;
  /** CPU (user + system) of every crew process over the same window. */
  readonly cpu_s: number;
}

export interface ReplicaFigures {
  readonly replicas: number;
  readonly incidents_per_s: number | null;
  readonly cpu_ms_per_incident: number;
  /** incidents/s over the single-replica round's; null without both rates. */
  readonly speedup: number | null;
  /** CPU per incident over the single-replica round's: what each added replica costs. */
  readonly cost_growth: number | null;
}

/**
 * Rates and growth against the round with one replica each (the first with `replicas: 1`).
 * A round that did not finish has no rate, so no speedup: it is not a slow success.
 */
export function replicaFigures(rounds: readonly ReplicaRound[]): ReplicaFigures[] {
  const single = rounds.find((round) => round.replicas === 1);
  const rate = (round: ReplicaRound): number | null =>
    round.seconds === null || round.seconds <= 0 ? null : round.incidents / round.seconds;
  const cpuPerIncident = (round: ReplicaRound): number =>
    round.incidents > 0 ? (round.cpu_s * 1000) / round.incidents : 0;
  const baseRate = single === undefined ? null : rate(single);
  const baseCpu = single === undefined ? 0 : cpuPerIncident(single);
  return rounds.map((round) => {
    const own = rate(round);
    const cpu = cpuPerIncident(round);
    return {
      replicas: round.replicas,
      incidents_per_s: own,
      cpu_ms_per_incident: cpu,
      speedup: own === null || baseRate === null || baseRate === 0 ? null : own / baseRate,
      cost_growth: baseCpu > 0 ? cpu / baseCpu : null,
    };
  });
}

/**
 * The target: more replicas must not make the crew slower. `speedup ≥ min_speedup` (the
 * single-replica round passes by definition when it finished); a round that lost or doubled
 * anything fails whatever its speed.
 */
export function meetsTarget(
  figures: ReplicaFigures,
  correctness: { readonly lost: number; readonly duplicates: number },
  minSpeedup: number,
): boolean {
  if (correctness.lost > 0 || correctness.duplicates > 0) return false;
  if (figures.incidents_per_s === null) return false;
  return figures.replicas === 1 || (figures.speedup !== null && figures.speedup >= minSpeedup);
}
