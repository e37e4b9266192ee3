import { type LlmClient, type LlmRunRequest, type LlmRunResult } from './llm-client.port';
import {
  type AllowedAction,
  type EvidenceItem,
  type IncidentFacts,
  type IncidentHistoryStep,
  type ProposedAction,
  type TriageSummary,
} from './reasoning/incident-reasoning.types';
import { postmortemTemplate } from './reasoning/postmortem.template';
import { rulesProposal, rulesTriage } from './reasoning/rules-reasoning';

/**
 * The embedded default (no ANTHROPIC_API_KEY): deterministic rules and
 * templates, nothing leaves the machine, the same answers' shapes as Claude's.
 * It runs no tool loop: `run` says so instead of pretending.
 */
export class RulesLlmClient implements LlmClient {
  readonly kind = 'rules' as const;

  run(request: LlmRunRequest): Promise<LlmRunResult> {
    return Promise.resolve({
      stop: 'no_model',
      detail: `no model configured (integrations.llm without api_key): ${request.purpose} for ${request.incident_id} is answered by rules`,
      text: '',
      turns: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      tool_calls: [],
    });
  }

  triageSummary(
    incident: IncidentFacts,
    evidence: readonly EvidenceItem[],
  ): Promise<TriageSummary> {
    return Promise.resolve(rulesTriage(incident, evidence));
  }

  proposeAction(
    incident: IncidentFacts,
    evidence: readonly EvidenceItem[],
    allowed: readonly AllowedAction[],
  ): Promise<ProposedAction | null> {
    return Promise.resolve(rulesProposal(incident, evidence, allowed));
  }

  postmortemDraft(
    incident: IncidentFacts,
    history: readonly IncidentHistoryStep[],
  ): Promise<string> {
    return Promise.resolve(postmortemTemplate(incident, history));
  }
}
