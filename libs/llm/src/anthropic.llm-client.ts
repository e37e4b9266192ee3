import Anthropic, {
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { Logger, type LoggerService } from '@nestjs/common';
import { type AuditSink, QueryRateLimit, RateLimitedError } from '@opscrew/guardrails';
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
import { parseProposal, parseTriage } from './reasoning/model-json.parser';
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
import { type LlmTool, type ToolProvider } from './tools/llm-tool';
import { type ToolWhitelist } from './tools/tool-whitelist';
import { costUsd, inputTokensOf } from './usage-cost';
import { UNTRUSTED_DATA_RULE, wrapUntrusted } from './untrusted-data';

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

/** Audit action of every tool call the model asks for, allowed or refused. */
export const TOOL_CALL_AUDIT_ACTION = 'llm.tool_call';
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
 * Claude through the Messages API: a tool-use loop with complete mediation.
 * Every `tool_use` is checked against the agent's whitelist in code, audited
 * (refused or allowed, before anything runs: the audit fails closed), rate
 * limited, executed, and its output fed back as untrusted `<data>`. The loop
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
  private readonly anthropic: Anthropic;
  private readonly logger: Pick<LoggerService, 'log' | 'warn'>;
  private readonly spend = new IncidentSpendLedger();
  private readonly modelCalls: QueryRateLimit;
  private readonly toolCalls: QueryRateLimit;

  constructor(private readonly options: AnthropicLlmClientOptions) {
    const { settings } = options;
    this.anthropic =
      options.anthropic ??
      new Anthropic({
        apiKey: settings.apiKey,
        ...(settings.baseUrl !== undefined ? { baseURL: settings.baseUrl } : {}),
        maxRetries: settings.maxRetries,
        timeout: settings.timeoutMs,
      });
    this.logger = options.logger ?? new Logger(AnthropicLlmClient.name);
    this.modelCalls = QueryRateLimit.perHour(
      'llm.model_calls',
      settings.modelCallsPerHour,
      options.now,
    );
    this.toolCalls = QueryRateLimit.perMinute(
      'llm.tool_calls',
      settings.toolCallsPerMinute,
      options.now,
    );
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
    /** A budget that forbids another model call or tool execution, or null. */
    const budgetStop = (): { stop: LlmStopReason; detail: string } | null => {
      const spent = this.spend.of(request.incident_id);
      if (spent.tokens >= budgets.max_tokens_per_incident) {
        return {
          stop: 'token_budget',
          detail: `incident ${request.incident_id} used ${spent.tokens} tokens of budgets.max_tokens_per_incident ${budgets.max_tokens_per_incident}`,
        };
      }
      if (spent.cost_usd >= budgets.max_cost_usd_per_incident) {
        return {
          stop: 'cost_budget',
          detail: `incident ${request.incident_id} cost $${spent.cost_usd.toFixed(4)} of budgets.max_cost_usd_per_incident $${budgets.max_cost_usd_per_incident}`,
        };
      }
      if (turns >= budgets.max_turns) {
        return {
          stop: 'max_turns',
          detail: `${turns} model calls reached budgets.max_turns ${budgets.max_turns}`,
        };
      }
      return null;
    };

    const deadline = AbortSignal.timeout(budgets.run_timeout_ms);
    const offered = this.offeredTools(request);
    const toolDefinitions: Anthropic.Tool[] = [...offered.values()].map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.input_schema as Anthropic.Tool.InputSchema,
    }));
    const messages: Anthropic.MessageParam[] = request.messages.map((m) => ({
      role: m.role,
      content: m.content,
    }));
    const system = `${request.system}\n\n${UNTRUSTED_DATA_RULE}`;

    for (;;) {
      const stopped = budgetStop();
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
      try {
        response = await this.anthropic.messages.create(
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
        const failure = classifyFailure(err, deadline, budgets.run_timeout_ms, settings.maxRetries);
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
      const over = budgetStop();
      if (over) return finish(over.stop, `${over.detail}; requested tool calls not executed`);
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of response.content) {
        if (block.type !== 'tool_use') continue;
        results.push(await this.callTool(request, block, offered, deadline, calls));
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
    const parsed = result.stop === 'end_turn' ? parseTriage(result.text) : null;
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
    const verdict = parseProposal(result.text, allowed);
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

  /** Tools that exist, the agent is granted, and the request asks for (all granted when it names none). */
  private offeredTools(request: LlmRunRequest): Map<string, LlmTool> {
    const wanted = request.tools === undefined ? null : new Set(request.tools);
    const offered = new Map<string, LlmTool>();
    for (const provider of this.options.toolProviders ?? []) {
      for (const tool of provider.tools()) {
        if (offered.has(tool.name)) continue;
        if (wanted !== null && !wanted.has(tool.name)) continue;
        if (!this.options.whitelist.check(request.agent, tool.name).allowed) continue;
        offered.set(tool.name, tool);
      }
    }
    return offered;
  }

  private async callTool(
    request: LlmRunRequest,
    block: Anthropic.ToolUseBlock,
    offered: ReadonlyMap<string, LlmTool>,
    deadline: AbortSignal,
    calls: ToolCallRecord[],
  ): Promise<Anthropic.ToolResultBlockParam> {
    const auditInput = { tool: block.name, input: block.input, purpose: request.purpose };
    const refuse = async (reason: string): Promise<Anthropic.ToolResultBlockParam> => {
      calls.push({ tool: block.name, verdict: 'refused', is_error: true });
      await this.options.audit.record({
        agent: request.agent,
        action: TOOL_CALL_AUDIT_ACTION,
        verdict: 'refused',
        result: reason,
        input: auditInput,
        incident_id: request.incident_id,
      });
      this.logger.warn(`llm ${request.agent}/${request.purpose}: ${reason}`);
      return { type: 'tool_result', tool_use_id: block.id, content: reason, is_error: true };
    };

    const verdict = this.options.whitelist.check(request.agent, block.name);
    if (!verdict.allowed) return refuse(verdict.reason);
    const tool = offered.get(block.name);
    if (tool === undefined) {
      return refuse(
        `refused: ${block.name} is not offered to ${request.agent} for ${request.purpose}`,
      );
    }
    const input = block.input;
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return refuse(`refused: ${block.name} input must be a JSON object`);
    }
    try {
      this.toolCalls.acquire();
    } catch (err: unknown) {
      if (err instanceof RateLimitedError) return refuse(`refused: ${err.message}`);
      throw err;
    }
    // Recorded before it runs: if the audit cannot be written, nothing runs (fail closed).
    await this.options.audit.record({
      agent: request.agent,
      action: TOOL_CALL_AUDIT_ACTION,
      verdict: 'allowed',
      result: `executing ${tool.source}`,
      input: auditInput,
      incident_id: request.incident_id,
    });
    const outcome = await withTimeout(
      (signal) => tool.call(input as Record<string, unknown>, signal),
      this.options.settings.toolTimeoutMs,
      deadline,
      block.name,
    );
    calls.push({ tool: block.name, verdict: 'allowed', is_error: outcome.is_error });
    return {
      type: 'tool_result',
      tool_use_id: block.id,
      content: wrapUntrusted(tool.source, outcome.content),
      ...(outcome.is_error ? { is_error: true } : {}),
    };
  }
}

/** A tool gets its own timeout and the run's deadline; one that ignores its signal is abandoned. */
async function withTimeout(
  call: (signal: AbortSignal) => Promise<{ content: string; is_error: boolean }>,
  timeoutMs: number,
  deadline: AbortSignal,
  name: string,
): Promise<{ content: string; is_error: boolean }> {
  const signal = AbortSignal.any([deadline, AbortSignal.timeout(timeoutMs)]);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<{ content: string; is_error: boolean }>((resolve) => {
    onAbort = () =>
      resolve({
        content: `${name} did not answer within ${timeoutMs} ms (or the run deadline)`,
        is_error: true,
      });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(signal), aborted]);
  } catch (err: unknown) {
    return { content: `${name} failed: ${(err as Error).message}`, is_error: true };
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function modelStop(reason: Anthropic.StopReason | null): [LlmStopReason, string] {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return ['end_turn', `model finished (${reason})`];
    case 'max_tokens':
      return ['max_tokens', 'the answer was cut at budgets.max_tokens_per_call'];
    case 'refusal':
      return ['refusal', 'the model declined'];
    default:
      return ['model_stopped', `model stopped: ${String(reason)}`];
  }
}

function classifyFailure(
  err: unknown,
  deadline: AbortSignal,
  runTimeoutMs: number,
  maxRetries: number,
): { stop: LlmStopReason; detail: string } {
  if (err instanceof APIUserAbortError || deadline.aborted) {
    return {
      stop: 'timeout',
      detail: `run exceeded budgets.run_timeout_ms ${runTimeoutMs} ms (retries included)`,
    };
  }
  if (err instanceof APIConnectionTimeoutError) {
    return {
      stop: 'timeout',
      detail: `model call exceeded timeout_ms, ${maxRetries} retries included`,
    };
  }
  if (err instanceof APIError) {
    const body = err.error as { error?: { type?: unknown; message?: unknown } } | undefined;
    const type = typeof body?.error?.type === 'string' ? body.error.type : 'error';
    const message = typeof body?.error?.message === 'string' ? body.error.message : err.message;
    const retried =
      err.status === 429 || (err.status ?? 0) >= 500 ? ` after ${maxRetries} retries` : '';
    return {
      stop: 'error',
      detail: `anthropic ${err.status ?? '-'} ${type}${retried}: ${message}`,
    };
  }
  return { stop: 'error', detail: `anthropic call failed: ${(err as Error).message}` };
}
