import { bodyExcerpt, isRecord, MetricsSourceError, tryParseJson } from './metrics-http';
import { type MetricsSnapshot, type MetricsSource } from './metrics-source.port';
import {
  assertSpanStatusErrors,
  parseSignozServicesBody,
  SignozBodyError,
  type SignozServiceItem,
  signozSnapshot,
} from './signoz-services.mapper';
import { SIGNOZ_DEFAULT_WINDOW_S, SIGNOZ_INGESTION_LAG_MS } from './signoz.metrics-source';

/** An MCP tool as a caller sees it (an McpToolbox's tools fit): name, and a call returning text. */
export interface McpCallableTool {
  readonly name: string;
  call(
    input: Readonly<Record<string, unknown>>,
    signal: AbortSignal,
  ): Promise<{ readonly content: string; readonly is_error: boolean }>;
}

/** Whatever holds the connected MCP servers' tools (libs/llm's McpToolbox). */
export interface McpToolSet {
  tools(): readonly McpCallableTool[];
}

/** SigNoz MCP server's service list (v0.13 name; older servers named it differently). */
export const SIGNOZ_MCP_LIST_SERVICES = 'signoz_list_services';
/** Its page size maximum (the server clamps higher values). */
const PAGE_LIMIT = 1000;
/** A listing that pages on and on is a broken server, not a big deployment. */
const MAX_PAGES = 20;

export interface SignozMcpMetricsSourceOptions {
  readonly mcp: McpToolSet;
  /** Per tool call (the server then makes its own HTTP call to SigNoz). */
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly windowS?: number;
  /** As the `signoz` source: SigNoz's span status decides errors, so only `["5"]` is accepted. */
  readonly errorPrefixes?: readonly string[];
}

/**
 * RED metrics through SigNoz's MCP server (`integrations.metrics.source:
 * signoz-mcp`) instead of its HTTP API: for teams that already run the MCP
 * server for their models and give the crew no direct API route. The server's
 * `signoz_list_services` answers SigNoz's own `/api/v1/services` items inside
 * `{data, pagination}`, so the same mapper converts the units (p99 ns → ms,
 * errorRate % → ratio) and the numbers match the `signoz` source exactly.
 * Pages are followed until `hasMore` is false. Trace search stays with the
 * `signoz` source: this one only collects.
 */
export class SignozMcpMetricsSource implements MetricsSource {
  readonly kind = 'signoz-mcp';
  private readonly now: () => number;
  private readonly windowS: number;

  constructor(private readonly options: SignozMcpMetricsSourceOptions) {
    this.now = options.now ?? Date.now;
    this.windowS = options.windowS ?? SIGNOZ_DEFAULT_WINDOW_S;
    assertSpanStatusErrors(options.errorPrefixes, 'signoz-mcp');
  }

  async collect(services: readonly string[]): Promise<MetricsSnapshot> {
    const tool = this.options.mcp.tools().find((t) => t.name === SIGNOZ_MCP_LIST_SERVICES);
    if (tool === undefined) {
      throw new MetricsSourceError(
        `SigNoz MCP: no ${SIGNOZ_MCP_LIST_SERVICES} tool (is an mcp_servers entry running signoz-mcp-server, listing this agent in its agents, and connected?)`,
        `mcp:${SIGNOZ_MCP_LIST_SERVICES}`,
      );
    }
    const endMs = this.now() - SIGNOZ_INGESTION_LAG_MS;
    const startMs = endMs - this.windowS * 1000;
    const items: SignozServiceItem[] = [];
    let offset = 0;
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) {
        throw new MetricsSourceError(
          `SigNoz MCP ${SIGNOZ_MCP_LIST_SERVICES}: still more after ${MAX_PAGES} pages of ${PAGE_LIMIT}`,
          `mcp:${SIGNOZ_MCP_LIST_SERVICES}`,
        );
      }
      // The server takes every argument as a string (or an int), times in epoch ms.
      const outcome = await tool.call(
        {
          start: String(startMs),
          end: String(endMs),
          limit: String(PAGE_LIMIT),
          offset: String(offset),
        },
        AbortSignal.timeout(this.options.timeoutMs),
      );
      const parsed = parsePage(outcome);
      items.push(...parsed.items);
      if (parsed.nextOffset === null) break;
      if (parsed.nextOffset <= offset) {
        throw new MetricsSourceError(
          `SigNoz MCP ${SIGNOZ_MCP_LIST_SERVICES}: pagination went back (offset ${offset}, next ${parsed.nextOffset})`,
          `mcp:${SIGNOZ_MCP_LIST_SERVICES}`,
        );
      }
      offset = parsed.nextOffset;
    }
    return signozSnapshot(items, services, { endMs, windowS: this.windowS, nowMs: this.now() });
  }
}

/** One `signoz_list_services` answer: `{data: [...], pagination: {hasMore, nextOffset, …}}`. */
function parsePage(outcome: { readonly content: string; readonly is_error: boolean }): {
  items: SignozServiceItem[];
  nextOffset: number | null;
} {
  const where = `mcp:${SIGNOZ_MCP_LIST_SERVICES}`;
  if (outcome.is_error) {
    throw new MetricsSourceError(
      `SigNoz MCP ${SIGNOZ_MCP_LIST_SERVICES} failed: ${bodyExcerpt(outcome.content)}`,
      where,
    );
  }
  const body = tryParseJson(outcome.content);
  const unexpected = (why: string) =>
    new MetricsSourceError(
      `SigNoz MCP ${SIGNOZ_MCP_LIST_SERVICES}: unexpected answer (${why}): ${bodyExcerpt(outcome.content)}`,
      where,
    );
  if (!isRecord(body)) throw unexpected('not a JSON object');
  let items: SignozServiceItem[];
  try {
    // The items are SigNoz's own /api/v1/services items, passed through.
    items = parseSignozServicesBody(body['data'] ?? null, 'v1');
  } catch (error) {
    if (error instanceof SignozBodyError) throw unexpected(error.message);
    throw error;
  }
  const pagination = body['pagination'];
  if (!isRecord(pagination)) return { items, nextOffset: null };
  const next = pagination['nextOffset'];
  const more = pagination['hasMore'] === true && typeof next === 'number' && next > 0;
  return { items, nextOffset: more ? next : null };
}
