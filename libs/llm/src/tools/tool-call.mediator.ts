import type Anthropic from '@anthropic-ai/sdk';
import { type LoggerService } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { QueryRateLimit, RateLimitedError } from '@opscrew/guardrails';
import { type AuditSink } from '@opscrew/ports';
import { type LlmRunRequest, type ToolCallRecord } from '../llm-client.port';
import { wrapUntrusted } from '../untrusted-data';
import { type LlmTool, type ToolProvider } from './llm-tool';
import { type ToolWhitelist } from './tool-whitelist';

/** Audit action of every tool call the model asks for, allowed or refused. */
export const TOOL_CALL_AUDIT_ACTION = 'llm.tool_call';

export interface ToolCallMediatorOptions {
  readonly whitelist: ToolWhitelist;
  /** In-process tools and MCP toolboxes; the whitelist decides what is offered and called. */
  readonly toolProviders?: readonly ToolProvider[];
  readonly audit: AuditSink;
  readonly logger: Pick<LoggerService, 'warn'>;
  readonly toolTimeoutMs: number;
  readonly toolCallsPerMinute: number;
  readonly now?: () => number;
}

/**
 * Complete mediation of the model's tool calls: what the model is offered (tools that exist,
 * are granted and asked for) and every `tool_use` checked against the whitelist in code,
 * audited (refused or allowed), rate limited, executed under a timeout, its output wrapped
 * as untrusted `<data>`.
 */
export class ToolCallMediator {
  private readonly rateLimit: QueryRateLimit;

  constructor(private readonly options: ToolCallMediatorOptions) {
    this.rateLimit = QueryRateLimit.perMinute(
      'llm.tool_calls',
      options.toolCallsPerMinute,
      options.now,
    );
  }

  /** Tools that exist, the agent is granted, and the request asks for (all granted when it names none). */
  offeredTools(request: LlmRunRequest): Map<string, LlmTool> {
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

  /**
   * One `tool_use` the model asked for, mediated: whitelist, offer, input shape, rate limit,
   * audit (before it runs: fail closed), then the call under its timeout and the run deadline.
   */
  async callTool(
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
      this.options.logger.warn(`llm ${request.agent}/${request.purpose}: ${reason}`);
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
      this.rateLimit.acquire();
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
      this.options.toolTimeoutMs,
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
    return { content: `${name} failed: ${errorMessage(err)}`, is_error: true };
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
