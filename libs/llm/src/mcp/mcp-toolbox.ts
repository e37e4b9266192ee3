import { Logger, type LoggerService } from '@nestjs/common';
import { type Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { errorMessage } from '@opscrew/contracts';
import { type LlmTool, type ToolOutcome, type ToolProvider } from '../tools/llm-tool';
import { namespacedToolName } from './mcp-tool-name';

/** One `mcp_servers.<name>` entry, as the toolbox needs it (McpServerConfig fits). */
export interface McpServerSpec {
  readonly transport: 'stdio' | 'http';
  readonly command?: string;
  readonly args?: readonly string[];
  /** The only variables the stdio child gets besides HOME, LOGNAME, PATH, SHELL, TERM, USER. */
  readonly env?: Readonly<Record<string, string>>;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Agents allowed to reach this server; the toolbox connects only those listing its agent. */
  readonly agents?: readonly string[];
}

export interface McpToolboxOptions {
  /** The agent whose model will use these tools: servers not listing it are not connected. */
  readonly agent: string;
  readonly servers: ReadonlyMap<string, McpServerSpec>;
  /** Working directory of stdio children (the project root). */
  readonly cwd?: string;
  /** Connecting and listing, per server: a server that does not answer is left out, not waited for. */
  readonly connectTimeoutMs?: number;
  readonly logger?: Pick<LoggerService, 'warn' | 'log'>;
}

/** Long enough for `npx`-started servers to come up; short enough not to stall an agent's boot. */
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** The last stderr lines of a stdio server, quoted when it fails. */
const STDERR_TAIL_CHARS = 2_000;
/** A listing that pages forever is a broken server. */
const MAX_LIST_PAGES = 20;

/** Nest injection token of an agent's connected McpToolbox (see connectMcpToolbox). */
export const MCP_TOOLBOX = Symbol('MCP_TOOLBOX');

interface Connected {
  readonly name: string;
  readonly client: Client;
  readonly stderrTail: () => string;
}

/**
 * MCP servers' tools for one agent's model: connects the configured servers
 * that list the agent (stdio: command/args/env; streamable HTTP: url/headers),
 * lists their tools, namespaces them (`<server>_<tool>`) and calls them. The
 * whitelist is not applied here — the tool loop applies it to every call.
 * A server that fails to connect is logged and left out: the others, and the
 * rules fallback, keep working.
 */
export class McpToolbox implements ToolProvider {
  private readonly connected: Connected[] = [];
  private readonly byName = new Map<string, LlmTool>();
  /** Servers that could not be connected, with why: for /health-style reporting and tests. */
  readonly failures = new Map<string, string>();

  private constructor(private readonly logger: Pick<LoggerService, 'warn' | 'log'>) {}

  static async connect(options: McpToolboxOptions): Promise<McpToolbox> {
    const box = new McpToolbox(options.logger ?? new Logger(McpToolbox.name));
    for (const [name, spec] of options.servers) {
      if (!(spec.agents ?? []).includes(options.agent)) continue;
      try {
        await box.add(name, spec, options);
      } catch (err: unknown) {
        const reason = errorMessage(err);
        box.failures.set(name, reason);
        box.logger.warn(`mcp server ${name}: not connected, its tools are unavailable: ${reason}`);
      }
    }
    return box;
  }

  tools(): readonly LlmTool[] {
    return [...this.byName.values()];
  }

  async close(): Promise<void> {
    const all = this.connected.splice(0);
    await Promise.allSettled(all.map((c) => c.client.close()));
  }

  /** Nest calls this on shutdown when the toolbox is a provider: stdio children are stopped. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async add(name: string, spec: McpServerSpec, options: McpToolboxOptions): Promise<void> {
    const timeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const sdk = await loadMcpClientSdk();
    const { transport, stderrTail } = buildTransport(sdk, name, spec, options.cwd);
    const client = new sdk.Client({ name: `opscrew-${options.agent}`, version: '1.0.0' });
    try {
      await client.connect(transport, { timeout });
    } catch (err: unknown) {
      await client.close().catch(() => undefined);
      throw new Error(withTail(`connect failed: ${errorMessage(err)}`, stderrTail()));
    }
    const entry: Connected = { name, client, stderrTail };
    this.connected.push(entry);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const listed = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
      for (const tool of listed.tools) this.register(entry, tool);
      cursor = listed.nextCursor;
      if (cursor === undefined) break;
    }
    this.logger.log(`mcp server ${name}: ${this.countFrom(name)} tool(s)`);
  }

  private register(
    server: Connected,
    tool: {
      name: string;
      description?: string;
      inputSchema: { type: 'object'; [k: string]: unknown };
    },
  ): void {
    const exposed = namespacedToolName(server.name, tool.name);
    if (exposed === null) {
      this.logger.warn(`mcp server ${server.name}: tool "${tool.name}" skipped (name not usable)`);
      return;
    }
    if (this.byName.has(exposed)) {
      this.logger.warn(
        `mcp server ${server.name}: tool "${tool.name}" skipped (${exposed} is already provided)`,
      );
      return;
    }
    this.byName.set(exposed, {
      name: exposed,
      description: tool.description ?? '',
      input_schema: tool.inputSchema,
      source: `mcp:${server.name}/${tool.name}`,
      call: (input, signal) => callTool(server, tool.name, input, signal),
    });
  }

  private countFrom(server: string): number {
    return [...this.byName.values()].filter((t) => t.source.startsWith(`mcp:${server}/`)).length;
  }
}

/**
 * The MCP client SDK, loaded when a server is connected rather than when the agent starts:
 * it brings zod and ajv along, and most agents are configured with no MCP server.
 */
async function loadMcpClientSdk(): Promise<McpClientSdk> {
  const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }] =
    await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/stdio.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
  return { Client, StdioClientTransport, StreamableHTTPClientTransport };
}

interface McpClientSdk {
  readonly Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client;
  readonly StdioClientTransport: typeof import('@modelcontextprotocol/sdk/client/stdio.js').StdioClientTransport;
  readonly StreamableHTTPClientTransport: typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js').StreamableHTTPClientTransport;
}

function buildTransport(
  { StdioClientTransport, StreamableHTTPClientTransport }: McpClientSdk,
  name: string,
  spec: McpServerSpec,
  cwd: string | undefined,
): { transport: Transport; stderrTail: () => string } {
  if (spec.transport === 'http') {
    if (!spec.url) throw new Error(`mcp_servers.${name}.url is required for transport "http"`);
    const transport = new StreamableHTTPClientTransport(new URL(spec.url), {
      requestInit: { headers: { ...spec.headers } },
    });
    return { transport, stderrTail: () => '' };
  }
  if (!spec.command)
    throw new Error(`mcp_servers.${name}.command is required for transport "stdio"`);
  const transport = new StdioClientTransport({
    command: spec.command,
    args: [...(spec.args ?? [])],
    env: { ...spec.env },
    stderr: 'pipe',
    ...(cwd !== undefined ? { cwd } : {}),
  });
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  return { transport, stderrTail: () => tail };
}

async function callTool(
  server: Connected,
  tool: string,
  input: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
): Promise<ToolOutcome> {
  try {
    const result = await server.client.callTool(
      { name: tool, arguments: { ...input } },
      undefined,
      {
        signal,
      },
    );
    const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
    const text = content.map(renderBlock).join('\n');
    const structured =
      text === '' && result.structuredContent !== undefined
        ? JSON.stringify(result.structuredContent)
        : text;
    return { content: structured, is_error: result.isError === true };
  } catch (err: unknown) {
    return {
      content: withTail(
        `mcp ${server.name}/${tool} failed: ${errorMessage(err)}`,
        server.stderrTail(),
      ),
      is_error: true,
    };
  }
}

/** Text as is; anything else (images, resources) by its kind only: the model gets text data. */
function renderBlock(block: unknown): string {
  if (block !== null && typeof block === 'object' && 'type' in block) {
    const typed = block as { type: unknown; text?: unknown };
    if (typed.type === 'text' && typeof typed.text === 'string') return typed.text;
    return `[${String(typed.type)} content omitted]`;
  }
  return '[unrecognised content omitted]';
}

function withTail(message: string, tail: string): string {
  const trimmed = tail.trim();
  return trimmed === ''
    ? message
    : `${message} (stderr: ${trimmed.split('\n').slice(-3).join(' | ')})`;
}
