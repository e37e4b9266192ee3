import { type RecordedRequest } from './contract-http.server';

/**
 * Exact-request assertions in the style of Alertmanager's acceptance tests:
 * each expected call must be seen (as many times as `count`), inside its time
 * window relative to `t0`, and nothing else may have been received.
 */
export interface ExpectedCall {
  readonly label: string;
  /** The spec's operationId the request must have matched. */
  readonly operation: string;
  /** Milliseconds after t0: [earliest, latest]. */
  readonly between?: readonly [number, number];
  readonly where?: (request: RecordedRequest) => boolean;
  /** How many such requests (default 1). */
  readonly count?: number;
}

/** Problems as readable lines; an empty list means exactly the expected requests arrived. */
export function verifyCalls(
  recorded: readonly RecordedRequest[],
  expected: readonly ExpectedCall[],
  t0: number,
): string[] {
  const problems: string[] = [];
  const used = new Set<number>();
  for (const call of expected) {
    const want = call.count ?? 1;
    const found = recorded.filter(
      (r) =>
        !used.has(r.seq) &&
        r.operationId === call.operation &&
        (call.where === undefined || call.where(r)),
    );
    const taken = found.slice(0, want);
    for (const r of taken) {
      used.add(r.seq);
      const offset = r.at - t0;
      if (call.between !== undefined && (offset < call.between[0] || offset > call.between[1])) {
        problems.push(
          `${call.label}: arrived at +${offset} ms, expected within [${call.between[0]}, ${call.between[1]}] ms`,
        );
      }
    }
    if (taken.length < want) {
      problems.push(`${call.label}: expected ${want}, got ${taken.length}`);
    }
  }
  for (const r of recorded) {
    if (!used.has(r.seq)) {
      problems.push(
        `unexpected: ${r.method} ${r.path} (${r.operationId ?? 'no operation'}) → ${r.status} at +${r.at - t0} ms`,
      );
    }
  }
  return problems;
}
