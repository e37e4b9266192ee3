/**
 * The first nats-server that makes a compare-and-swap on a replicated (R>1) stream serializable.
 * Before it, the `Nats-Expected-Last-Subject-Sequence` check of a clustered stream ran on the
 * leader before the Raft proposal, not in it: two writes carrying the same expected revision,
 * close together, could both be stored (nats-server#4320, fixed in 2.9.21). Every guarantee of
 * the crew that rests on CAS — the incident dedup, outbox claims, leases, the ledger — then
 * holds only mostly; the fault suite saw a ledger update overwrite a resolution on 2.9.10
 * (Debian bookworm's) at three copies.
 */
export const SERIALIZABLE_CLUSTERED_CAS = '2.9.21';

/**
 * Why the bus's CAS is not safe at `replicas` copies on a server of `version`; null when it is
 * (one copy: no Raft proposal, the check and the write happen in one place).
 */
export function clusteredCasRisk(version: string | undefined, replicas: number): string | null {
  if (replicas <= 1 || version === undefined) return null;
  if (compareVersions(version, SERIALIZABLE_CLUSTERED_CAS) >= 0) return null;
  return (
    `nats-server ${version} does not serialize compare-and-swap writes on streams with ` +
    `${replicas} copies (nats-server#4320, fixed in ${SERIALIZABLE_CLUSTERED_CAS}): concurrent ` +
    `replicas may both win a claim, a lease or a ledger update. Run nats-server ≥ ` +
    `${SERIALIZABLE_CLUSTERED_CAS} for bus.replicas > 1, or bus.replicas: 1`
  );
}

/** -1, 0 or 1 as `a` is older, equal or newer (numeric major.minor.patch; a suffix is ignored). */
function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .slice(0, 3)
      .map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
