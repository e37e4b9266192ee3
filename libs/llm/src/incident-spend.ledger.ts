/** What one incident has spent on the model so far, over all its runs. */
export interface IncidentSpend {
  readonly tokens: number;
  readonly cost_usd: number;
}

/**
 * Per-incident token and dollar totals, in memory: budgets protect this
 * process's spend, and an incident is worked by one agent process at a time.
 * Bounded (oldest incident forgotten first) so a long-lived agent cannot grow
 * without limit; an incident that old is not being reasoned about any more.
 */
export class IncidentSpendLedger {
  private readonly spend = new Map<string, IncidentSpend>();

  constructor(private readonly maxIncidents = 1000) {}

  of(incidentId: string): IncidentSpend {
    return this.spend.get(incidentId) ?? { tokens: 0, cost_usd: 0 };
  }

  add(incidentId: string, tokens: number, costUsd: number): IncidentSpend {
    const before = this.of(incidentId);
    const after = { tokens: before.tokens + tokens, cost_usd: before.cost_usd + costUsd };
    this.spend.delete(incidentId);
    this.spend.set(incidentId, after);
    while (this.spend.size > this.maxIncidents) {
      const oldest = this.spend.keys().next().value;
      if (oldest === undefined) break;
      this.spend.delete(oldest);
    }
    return after;
  }
}
