import {
  type AllowedAction,
  type EvidenceItem,
  type IncidentFacts,
  type IncidentHistoryStep,
  type ProposedAction,
  type TriageSummary,
} from './reasoning/incident-reasoning.types';

/** A conversation message given to a run; put untrusted text through wrapUntrusted() first. */
export interface LlmMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

export interface LlmRunRequest {
  /** Whose whitelist applies (`agents.<name>.tools`) and whose audit trail records the calls. */
  readonly agent: string;
  /** Why this run happens (`triage`, `propose_action`, `postmortem`…): logs and audit. */
  readonly purpose: string;
  /** Budgets add up per incident. */
  readonly incident_id: string;
  readonly system: string;
  readonly messages: readonly LlmMessage[];
  /** Tool names to offer; only those the agent is granted and that exist are offered. */
  readonly tools?: readonly string[];
  /**
   * `decision` (default): its answer can lead to an action (a proposal).
   * `advice`: text for people (triage summaries, postmortems) — it may not
   * use the last third of the model-call budget, which stays for decisions.
   */
  readonly priority?: 'decision' | 'advice';
}

/**
 * Why a run ended. `end_turn`: the model finished. `max_turns`, `token_budget`,
 * `cost_budget`, `timeout`: a budget stopped it. `rate_limited`: the model-call
 * limit was reached. `max_tokens`, `refusal`, `model_stopped`: the model
 * stopped for its own reason. `error`: the API failed after retries.
 * `no_model`: the rules adapter (no key) does not run tool loops.
 */
export type LlmStopReason =
  | 'end_turn'
  | 'max_turns'
  | 'token_budget'
  | 'cost_budget'
  | 'timeout'
  | 'rate_limited'
  | 'max_tokens'
  | 'refusal'
  | 'model_stopped'
  | 'error'
  | 'no_model';

export interface ToolCallRecord {
  readonly tool: string;
  readonly verdict: 'allowed' | 'refused';
  readonly is_error: boolean;
}

export interface LlmRunResult {
  readonly stop: LlmStopReason;
  /** One line for logs and humans: which budget, which error. */
  readonly detail: string;
  /** The model's final text (its last assistant message's text blocks). */
  readonly text: string;
  /** Model calls made. */
  readonly turns: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cost_usd: number;
  readonly tool_calls: readonly ToolCallRecord[];
}

export interface TriageOptions {
  readonly tools?: readonly string[];
}

/**
 * The crew's reasoning port. Two adapters: Claude (AnthropicLlmClient) when a
 * key is configured, deterministic rules and templates (RulesLlmClient)
 * otherwise — same answers' shapes, so callers never branch on which.
 */
export interface LlmClient {
  /** Which adapter answers: for logs and /health. */
  readonly kind: 'anthropic' | 'rules';
  run(request: LlmRunRequest): Promise<LlmRunResult>;
  /**
   * `options.tools`: tools the model may use to look further (e.g. SigNoz log
   * search), still filtered by the agent's whitelist; the rules ignore them.
   */
  triageSummary(
    incident: IncidentFacts,
    evidence: readonly EvidenceItem[],
    options?: TriageOptions,
  ): Promise<TriageSummary>;
  /** null: nothing safe to propose — the caller escalates. */
  proposeAction(
    incident: IncidentFacts,
    evidence: readonly EvidenceItem[],
    allowed: readonly AllowedAction[],
  ): Promise<ProposedAction | null>;
  /** Markdown. */
  postmortemDraft(
    incident: IncidentFacts,
    history: readonly IncidentHistoryStep[],
  ): Promise<string>;
}

/** Nest injection token of the LlmClient. */
export const LLM_CLIENT = Symbol('LLM_CLIENT');
