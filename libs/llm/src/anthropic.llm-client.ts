// Over ~300 lines: the model's tool loop and its three reasoning uses; tool mediation, stop classification
// and the run budget are their own files.
import type Anthropic from '@anthropic-ai/sdk';
import { Logger, type LoggerService } from '@nestjs/common';
import { QueryRateLimit, RateLimitedError } from '@opscrew/guardrails';
import { type AuditSink } from '@opscrew/ports';
import { type AnthropicSdkModule, loadAnthropicSdk } from './anthropic-sdk.loader';
import { classifyFailure, modelStop } from './anthropic-stop';
import { IncidentSpendLedger } from './incident-spend.ledger';
import {
  type LlmClient,
  type LlmRunRequest,
  type LlmRunResult,
  type LlmStopReason,
  type ToolCallRecord,
  type TriageOptions,
} from './llm-client.port';
import { type LlmSettings } from './llm-settings';
import {
  type AllowedAction,
  type EvidenceItem,
  type IncidentFacts,
  type IncidentHistoryStep,
  type ProposedAction,
  type TriageSummary,
} from './reasoning/incident-reasoning.types';
import { postmortemTemplate } from './reasoning/postmortem.template';
import {
  POSTMORTEM_SYSTEM,
  postmortemPrompt,
  PROPOSAL_SYSTEM,
  proposalPrompt,
  TRIAGE_SYSTEM,
  triagePrompt,
} from './reasoning/reasoning.prompts';
import { rulesTriage } from './reasoning/rules-reasoning';
import { type ToolProvider } from './tools/llm-tool';
import { ToolCallMediator } from './tools/tool-call.mediator';
import { type ToolWhitelist } from './tools/tool-whitelist';
import { scrubModelText, scrubToolResult } from './model-input.scrubber';
import { costUsd, inputTokensOf } from './usage-cost';
import { budgetStop } from './run-budget';
import { UNTRUSTED_DATA_RULE } from './untrusted-data';

export { TOOL_CALL_AUDIT_ACTION } from './tools/tool-call.mediator';

export interface AnthropicLlmClientOptions {
  readonly settings: LlmSettings;
  /** The agent this process is: the three reasoning uses run as it. */
  readonly agent: string;
  readonly whitelist: ToolWhitelist;
  /** In-process tools and MCP toolboxes; the whitelist decides what is offered and called. */
  readonly toolProviders?: readonly ToolProvider[];
  readonly audit: AuditSink;
  readonly logger?: Pick<LoggerService, 'log' | 'warn'>;
  /** Injected in tests (a client with a custom fetch); built from settings otherwise. */
  readonly anthropic?: Anthropic;
  readonly now?: () => number;
}

/** The audit action of one model run (its turns, tokens, cost and why it stopped). */
export const MODEL_RUN_AUDIT_ACTION = 'llm.run';
/** A third of `llm_calls_per_hour` is kept for decisions (proposals): advice stops short of it. */
const DECISION_RESERVE_DIVISOR = 3;
/** Stops that are a guardrail saying no, audited as `refused`. */
const GUARDRAIL_STOPS: ReadonlySet<LlmStopReason> = new Set([
  'max_turns',
  'token_budget',
  'cost_budget',
  'timeout',
  'rate_limited',
]);

/**
 * Claude through the Messages API: a tool-use loop with complete mediation
 * (ToolCallMediator: every `tool_use` is checked against the agent's whitelist
 * in code, audited before anything runs, rate limited, executed, and its output
 * fed back as untrusted `<data>`). The loop
 * stops on end_turn, max_turns, the per-incident token or dollar budget, the
 * run deadline, or the model-call rate limit — and says which.
 *
 * Retries (429, 529 overloaded, 5xx, 408/409) are the SDK's own `maxRetries`:
 * exponential backoff that honours `retry-after`/`retry-after-ms`, which is
 * what cockatiel would add, without a second policy to keep in step; the run
 * deadline's AbortSignal cuts a Retry-After longer than the run may last.
 */
export class AnthropicLlmClient implements LlmClient {
  readonly kind = 'anthropic' as const;
  /** Built on the first model call: the SDK loads then, not when the agent starts. */
  private client: Promise<{ anthropic: Anthropic; sdk: AnthropicSdkModule }> | undefined;
  private readonly logger: Pick<LoggerService, 'log' | 'warn'>;
  private readonly spend = new IncidentSpendLedger();
  private readonly modelCalls: QueryRateLimit;
  private readonly tools: ToolCallMediator;

  constructor(private readonly options: AnthropicLlmClientOptions) {
    const { settings } = options;
    this.logger = options.logger ?? new Logger(AnthropicLlmClient.name);
    this.modelCalls = QueryRateLimit.perHour(
      'llm.model_calls',
      settings.modelCallsPerHour,
      options.now,
    );
    this.tools = new ToolCallMediator({
      whitelist: options.whitelist,
      toolProviders: options.toolProviders,
      audit: options.audit,
      logger: this.logger,
      toolTimeoutMs: settings.toolTimeoutMs,
      toolCallsPerMinute: settings.toolCallsPerMinute,
      now: options.now,
    });
  }

  /** The SDK and its client, loaded and built once, on the first model call. */
  private connect(): Promise<{ anthropic: Anthropic; sdk: AnthropicSdkModule }> {
    this.client ??= loadAnthropicSdk().then((sdk) => {
      const { settings, anthropic } = this.options;
      return {
        sdk,
        anthropic:
          anthropic ??
          new sdk.Anthropic({
            apiKey: settings.apiKey,
            ...(settings.baseUrl !== undefined ? { baseURL: settings.baseUrl } : {}),
            maxRetries: settings.maxRetries,
            timeout: settings.timeoutMs,
          }),
      };
    });
    return this.client;
  }

  async run(request: LlmRunRequest): Promise<LlmRunResult> {
    const { settings } = this.options;
    const { budgets } = settings;
    const price = settings.prices.get(settings.model);
    const calls: ToolCallRecord[] = [];
    let turns = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    let runCost = 0;
    let text = '';
    const finish = async (stop: LlmStopReason, detail: string): Promise<LlmRunResult> => {
      const result = {
        stop,
        detail,
        text,
        turns,
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        cost_usd: runCost,
        tool_calls: calls,
      };
      const line =
        `${stop} after ${turns} turn(s), ${inputTokens + outputTokens} tokens, ` +
        `$${runCost.toFixed(4)} — ${detail}`;
      this.logger.log(`llm ${request.agent}/${request.purpose} ${request.incident_id}: ${line}`);
      // Every run is an outbound side effect with a cost: on the audit trail like any other
      // action. `refused` when a guardrail (budget, rate limit) stopped it, not the model.
      await this.options.audit.record({
        agent: request.agent,
        action: MODEL_RUN_AUDIT_ACTION,
        verdict: GUARDRAIL_STOPS.has(stop) ? 'refused' : 'allowed',
        result: `${settings.model} ${request.purpose}: ${line}`,
        input: { model: settings.model, purpose: request.purpose, messages: request.messages },
        incident_id: request.incident_id,
      });
      return result;
    };
    if (price === undefined) {
      return finish(
        'error',
        `integrations.llm.prices has no entry for ${settings.model}: the cost budget cannot be kept`,
      );
    }
    const overBudget = (): { stop: LlmStopReason; detail: string } | null =>
      budgetStop(request.incident_id, this.spend.of(request.incident_id), turns, budgets);

    const deadline = AbortSignal.timeout(budgets.run_timeout_ms);
    const offered = this.tools.offeredTools(request);
    const toolDefinitions: Anthropic.Tool[] = [...offered.values()].map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.input_schema as Anthropic.Tool.InputSchema,
    }));
    // Secrets never reach the model: the caller's turns here, each tool result as it is added.
    const messages: Anthropic.MessageParam[] = request.messages.map((m) => ({
      role: m.role,
      content: scrubModelText(m.content),
    }));
    const system = `${request.system}\n\n${UNTRUSTED_DATA_RULE}`;

    for (;;) {
      const stopped = overBudget();
      if (stopped) return finish(stopped.stop, stopped.detail);
      // Advice never spends the share kept for decisions: in a storm, summaries must not use up
      // the calls a proposal needs (a proposal without a call escalates).
      const reserve = Math.ceil(settings.modelCallsPerHour / DECISION_RESERVE_DIVISOR);
      if (request.priority === 'advice' && this.modelCalls.remaining <= reserve) {
        return finish(
          'rate_limited',
          `${this.modelCalls.remaining} model call(s) left this hour are kept for decisions (advice stops at ${reserve})`,
        );
      }
      try {
        this.modelCalls.acquire();
      } catch (err: unknown) {
        if (err instanceof RateLimitedError) return finish('rate_limited', err.message);
        throw err;
      }
      const remaining = budgets.max_tokens_per_incident - this.spend.of(request.incident_id).tokens;
      let response: Anthropic.Message;
      const { anthropic, sdk } = await this.connect();
      try {
        response = await anthropic.messages.create(
          {
            model: settings.model,
            max_tokens: Math.max(1, Math.min(budgets.max_tokens_per_call, remaining)),
            system,
            messages,
            ...(toolDefinitions.length > 0 ? { tools: toolDefinitions } : {}),
          },
          { signal: deadline },
        );
      } catch (err: unknown) {
        const failure = classifyFailure(
          err,
          deadline,
          budgets.run_timeout_ms,
          settings.maxRetries,
          sdk,
        );
        return finish(failure.stop, failure.detail);
      }
      turns++;
      const tokensIn = inputTokensOf(response.usage);
      inputTokens += tokensIn;
      outputTokens += response.usage.output_tokens;
      const callCost = costUsd(response.usage, price);
      runCost += callCost;
      this.spend.add(request.incident_id, tokensIn + response.usage.output_tokens, callCost);
      text = response.content
        .filter((block): block is Anthropic.TextBlock => block.type === 'text')
        .map((block) => block.text)
        .join('\n');
      messages.push({ role: 'assistant', content: response.content });

      if (response.stop_reason !== 'tool_use') {
        return finish(...modelStop(response.stop_reason));
      }
      // The model wants tools: nothing runs if a budget says this run is over.
      const over = overBudget();
      if (over) return finish(over.stop, `${over.detail}; requested tool calls not executed`);
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of response.content) {
        if (block.type !== 'tool_use') continue;
        results.push(
          scrubToolResult(await this.tools.callTool(request, block, offered, deadline, calls)),
        );
      }
      messages.push({ role: 'user', content: results });
    }
  }

  async triageSummary(
    incident: IncidentFacts,
    evidence: readonly EvidenceItem[],
    options: TriageOptions = {},
  ): Promise<TriageSummary> {
    const result = await this.run({
      agent: this.options.agent,
      purpose: 'triage',
      priority: 'advice',
      incident_id: incident.incident_id,
      system: TRIAGE_SYSTEM,
      messages: [{ role: 'user', content: triagePrompt(incident, evidence) }],
      tools: options.tools ?? [],
    });
    const parsed =
      result.stop === 'end_turn' ? (await modelJsonParser()).parseTriage(result.text) : null;
    if (parsed) return parsed;
    // A summary is informational: the rules' one is better than none.
    this.logger.warn(
      `triage ${incident.incident_id}: model answer unusable (${result.stop}); rules used`,
    );
    return rulesTriage(incident, evidence);
  }

  async proposeAction(
    incident: IncidentFacts,
    evidence: readonly EvidenceItem[],
    allowed: readonly AllowedAction[],
  ): Promise<ProposedAction | null> {
    if (allowed.length === 0) return null;
    const result = await this.run({
      agent: this.options.agent,
      purpose: 'propose_action',
      incident_id: incident.incident_id,
      system: PROPOSAL_SYSTEM,
      messages: [{ role: 'user', content: proposalPrompt(incident, evidence, allowed) }],
      tools: [],
    });
    if (result.stop !== 'end_turn') {
      this.logger.warn(
        `proposal ${incident.incident_id}: no proposal (${result.stop}: ${result.detail})`,
      );
      return null;
    }
    const verdict = (await modelJsonParser()).parseProposal(result.text, allowed);
    if (!verdict.ok) {
      // An action is never repaired or guessed: invalid means escalate.
      this.logger.warn(
        `proposal ${incident.incident_id}: model answer rejected: ${verdict.reason}`,
      );
      return null;
    }
    return verdict.proposal;
  }

  async postmortemDraft(
    incident: IncidentFacts,
    history: readonly IncidentHistoryStep[],
  ): Promise<string> {
    const result = await this.run({
      agent: this.options.agent,
      purpose: 'postmortem',
      priority: 'advice',
      incident_id: incident.incident_id,
      system: POSTMORTEM_SYSTEM,
      messages: [{ role: 'user', content: postmortemPrompt(incident, history) }],
      tools: [],
    });
    // Model text is data for its readers too: whoever posts it neutralises it for Jira/Discord.
    if (result.stop === 'end_turn' && result.text.trim() !== '') return result.text;
    this.logger.warn(
      `postmortem ${incident.incident_id}: model draft unavailable (${result.stop}); template used`,
    );
    return postmortemTemplate(incident, history);
  }
}

/**
 * The answer parser, loaded with zod (~95 modules, ~0.1 s of CPU) on the first model answer, not
 * when an agent starts: every agent imports this client, most runs never call the model.
 */
function modelJsonParser(): Promise<typeof import('./reasoning/model-json.parser')> {
  return import('./reasoning/model-json.parser');
}
