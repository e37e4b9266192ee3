import { type LlmBudgetConfig } from '@opscrew/config';
import { budgetStop } from './run-budget';

const budgets: LlmBudgetConfig = {
  max_tokens_per_call: 100,
  max_turns: 3,
  max_tokens_per_incident: 1000,
  max_cost_usd_per_incident: 1,
  run_timeout_ms: 1000,
};

describe('budgetStop', () => {
  it('is null while the incident and the run are within every budget', () => {
    expect(budgetStop('INC-1', { tokens: 999, cost_usd: 0.99 }, 2, budgets)).toBeNull();
  });

  it('names the budget that is spent: tokens, then dollars, then turns', () => {
    expect(budgetStop('INC-1', { tokens: 1000, cost_usd: 5 }, 9, budgets)).toEqual({
      stop: 'token_budget',
      detail: 'incident INC-1 used 1000 tokens of budgets.max_tokens_per_incident 1000',
    });
    expect(budgetStop('INC-1', { tokens: 0, cost_usd: 1 }, 9, budgets)?.stop).toBe('cost_budget');
    expect(budgetStop('INC-1', { tokens: 0, cost_usd: 0 }, 3, budgets)).toEqual({
      stop: 'max_turns',
      detail: '3 model calls reached budgets.max_turns 3',
    });
  });
});
