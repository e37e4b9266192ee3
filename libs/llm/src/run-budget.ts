import { type LlmBudgetConfig } from '@opscrew/config';
import { type IncidentSpend } from './incident-spend.ledger';
import { type LlmStopReason } from './llm-client.port';

/**
 * The budget that forbids another model call or tool execution (the incident's tokens or
 * dollars, or the run's turns), or null.
 */
export function budgetStop(
  incidentId: string,
  spent: IncidentSpend,
  turns: number,
  budgets: Readonly<LlmBudgetConfig>,
): { stop: LlmStopReason; detail: string } | null {
  if (spent.tokens >= budgets.max_tokens_per_incident) {
    return {
      stop: 'token_budget',
      detail: `incident ${incidentId} used ${spent.tokens} tokens of budgets.max_tokens_per_incident ${budgets.max_tokens_per_incident}`,
    };
  }
  if (spent.cost_usd >= budgets.max_cost_usd_per_incident) {
    return {
      stop: 'cost_budget',
      detail: `incident ${incidentId} cost $${spent.cost_usd.toFixed(4)} of budgets.max_cost_usd_per_incident $${budgets.max_cost_usd_per_incident}`,
    };
  }
  if (turns >= budgets.max_turns) {
    return {
      stop: 'max_turns',
      detail: `${turns} model calls reached budgets.max_turns ${budgets.max_turns}`,
    };
  }
  return null;
}
