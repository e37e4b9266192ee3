import { Inject, Injectable, Optional } from '@nestjs/common';
import { type FingerprintRecord, errorMessage } from '@opscrew/contracts';
import {
  isLogSearch,
  isTraceSearch,
  type LogSummary,
  METRICS_SOURCE,
  type MetricsSource,
  type TraceSummary,
} from '@opscrew/integrations';
import { QueryRateLimit, RateLimitedError } from '@opscrew/guardrails';
import { fingerprintFacts } from '@opscrew/incident';
import { type EvidenceItem, LLM_CLIENT, type LlmClient, type TriageSummary } from '@opscrew/llm';
import { EPOCH_CLOCK, TRIAGE_SEARCHES } from '../ops-monitor.tokens';

/** How far back traces and logs are searched: the minutes before and around the detection. */
const TRACE_LOOKBACK_MS = 15 * 60_000;
/** Traces quoted per search: enough to see a pattern, few enough to read in a comment. */
const TRACES_PER_SEARCH = 10;
/** Error log lines quoted: the first of a burst and a few after it. */
const LOG_LINES_PER_SEARCH = 10;
/**
 * Tools the model may use to look further before answering (SigNoz's MCP
 * server, when configured): read-only, and still filtered by ops-monitor's
 * whitelist in the tool loop.
 */
export const TRIAGE_TOOLS = [
  'signoz_search_logs',
  'signoz_search_traces',
  'signoz_get_trace_details',
  'signoz_aggregate_traces',
] as const;

export interface DetectionTriageResult {
  readonly summary: TriageSummary;
  /** One line each: what the summary was made from (metrics, traces, what was unavailable). */
  readonly evidence: readonly EvidenceItem[];
}

/**
 * ops-monitor's triage at detection: the probable cause and what to check,
 * from what it measured and — when its metrics source can search them
 * (SigNoz) — the failing or slowest traces and the error logs of the minutes
 * around the detection. Claude may look further through SigNoz's MCP tools;
 * the rules answer without a key. Advice for the ticket only: it decides nothing.
 */
@Injectable()
export class DetectionTriage {
  constructor(
    @Inject(LLM_CLIENT) private readonly reasoning: Pick<LlmClient, 'kind' | 'triageSummary'>,
    @Inject(METRICS_SOURCE) private readonly metrics: MetricsSource,
    @Optional() @Inject(EPOCH_CLOCK) private readonly now: () => number = Date.now,
    /**
     * Trace and log searches the triage may make per minute. They share the
     * source's query budget with detection itself, so in a storm (hundreds of
     * new tickets) the triage must not starve the cycle: past this budget a
     * ticket's triage says "skipped" instead of searching. Unlimited when absent.
     */
    @Optional()
    @Inject(TRIAGE_SEARCHES)
    private readonly searches: QueryRateLimit = QueryRateLimit.unlimited('triage.searches'),
  ) {}

  get kind(): string {
    return this.reasoning.kind;
  }

  async triage(record: FingerprintRecord): Promise<DetectionTriageResult> {
    const evidence: EvidenceItem[] = [
      {
        source: 'ops-monitor.detection',
        text:
          `${record.rule}: ${record.metric} ${record.first_value}` +
          (record.threshold === undefined ? '' : ` (threshold ${record.threshold})`) +
          ` — ${record.detail}`,
      },
      ...(await this.traces(record.service, record.symptom)),
      ...(await this.logs(record.service)),
    ];
    const summary = await this.reasoning.triageSummary(fingerprintFacts(record), evidence, {
      tools: TRIAGE_TOOLS,
    });
    return { summary, evidence };
  }

  /** Evidence saying the search was skipped when the triage's search budget is spent; else null. */
  private budgetSpent(source: string, what: string): EvidenceItem | null {
    try {
      this.searches.acquire();
      return null;
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      return {
        source,
        text: `${what} skipped: the triage's search budget is spent (${error.message})`,
      };
    }
  }

  /** The service's ERROR/FATAL lines around the detection; a failed search is said so. */
  private async logs(service: string): Promise<EvidenceItem[]> {
    if (!isLogSearch(this.metrics)) return [];
    const skipped = this.budgetSpent(`logs:${service}`, 'log search');
    if (skipped) return [skipped];
    try {
      const found = await this.metrics.searchLogs(service, {
        sinceMs: this.now() - TRACE_LOOKBACK_MS,
        limit: LOG_LINES_PER_SEARCH,
      });
      return [
        {
          source: `logs:${service}`,
          text:
            found.length === 0
              ? `no error logs of ${service} in the last ${TRACE_LOOKBACK_MS / 60_000} min`
              : found.map(logLine).join('\n'),
        },
      ];
    } catch (error) {
      return [
        { source: `logs:${service}`, text: `log search unavailable: ${errorMessage(error)}` },
      ];
    }
  }

  /** Failing traces for error symptoms, the slowest for latency ones; a failed search is said so. */
  private async traces(service: string, symptom: string): Promise<EvidenceItem[]> {
    if (!isTraceSearch(this.metrics)) return [];
    const latency = symptom.includes('latency');
    const skipped = this.budgetSpent(`traces:${service}`, 'trace search');
    if (skipped) return [skipped];
    try {
      const found = await this.metrics.searchTraces(service, {
        ...(latency ? {} : { errorsOnly: true }),
        sinceMs: this.now() - TRACE_LOOKBACK_MS,
        limit: TRACES_PER_SEARCH,
      });
      const ordered = latency ? [...found].sort((a, b) => b.duration_ms - a.duration_ms) : found;
      return [
        {
          source: `traces:${service}`,
          text:
            ordered.length === 0
              ? `no ${latency ? '' : 'failing '}traces of ${service} in the last ${TRACE_LOOKBACK_MS / 60_000} min`
              : ordered.map(traceLine).join('\n'),
        },
      ];
    } catch (error) {
      return [
        {
          source: `traces:${service}`,
          text: `trace search unavailable: ${errorMessage(error)}`,
        },
      ];
    }
  }
}

function logLine(log: LogSummary): string {
  return `${log.at} ${log.severity} ${log.body}`;
}

function traceLine(trace: TraceSummary): string {
  return `${trace.at} ${trace.service} ${trace.operation} ${Math.round(trace.duration_ms)} ms${trace.has_error ? ' error' : ''} trace ${trace.trace_id}`;
}

/** The ticket comment: one paragraph a human reads first. */
export function triageComment(kind: string, result: DetectionTriageResult): string {
  const from = [...new Set(result.evidence.map((item) => item.source.split(':', 1)[0] ?? ''))];
  return (
    `Detection triage (${kind}, from ${from.join(', ')}): probable cause: ${result.summary.probable_cause}. ` +
    `What to check: ${result.summary.what_to_check.join('; ')}.`
  );
}
