/**
 * Scripted misbehaviour for the contract servers, evaluated in the order the
 * rules were added; the first active rule matching a request applies.
 *
 * - `respond`: answer with this status/headers/body; the request is NOT processed.
 * - `hang`: never processed; the connection is held for `ms`, then dropped
 *   (a dead upstream: the client's timeout fires first).
 * - `timeout-after-success`: processed (the issue IS created), then the
 *   answer is held for `ms` — the client times out on a success, the case
 *   idempotency keys exist for.
 * - `delay`: held for `ms`, then processed and answered normally.
 */
export type FaultAction =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: unknown;
    }
  | { readonly kind: 'hang'; readonly ms: number }
  | { readonly kind: 'timeout-after-success'; readonly ms: number }
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultRule {
  /** The spec's operationId (`createIssue`, `execute_webhook`); any when absent. */
  readonly operation?: string;
  readonly method?: string;
  readonly path?: RegExp;
  /** Applies to this many matching requests, then retires. */
  readonly times?: number;
  /** Applies for this long after the first request it matched, then retires. */
  readonly forMs?: number;
  readonly action: FaultAction;
}

interface ActiveRule extends FaultRule {
  used: number;
  firstAt?: number;
}

export class FaultScript {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, used: 0 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The action for a request now, consuming one use of the rule; undefined when none applies. */
  take(operationId: string, method: string, path: string, now: number): FaultAction | undefined {
    for (const rule of this.rules) {
      if (rule.operation !== undefined && rule.operation !== operationId) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined && !rule.path.test(path)) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (
        rule.forMs !== undefined &&
        rule.firstAt !== undefined &&
        now - rule.firstAt >= rule.forMs
      ) {
        continue;
      }
      rule.firstAt ??= now;
      rule.used += 1;
      return rule.action;
    }
    return undefined;
  }
}
