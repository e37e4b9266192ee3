import { Bool, OneOf, Str, StrList, StrRecord, Url } from './validators';

/**
 * An MCP server an agent may reach (OpenClaw's `mcpServers` entry): stdio with
 * `command`/`args`/`env`, or streamable HTTP with `url`. A stdio child sees only
 * the variables listed in `env`, so credentials are passed explicitly.
 */
export class McpServerConfig {
  @OneOf(['stdio', 'http']) transport!: 'stdio' | 'http';
  @Str({ optional: true }) command?: string;
  @StrList({ optional: true }) args: string[] = [];
  @StrRecord({
    optional: true,
    keyPattern: /^[A-Z_][A-Z0-9_]*$/,
    keyHint: 'must be an environment variable name',
  })
  env: Record<string, string> = {};
  @Url({ optional: true }) url?: string;
  @StrRecord({ optional: true }) headers: Record<string, string> = {};
  @StrList({ optional: true }) agents: string[] = [];
}

/**
 * opscrew's own MCP server — what the crew serves, unlike `mcp_servers`, which
 * the crew's models reach: atlas's `POST /mcp` and `opscrew mcp` (stdio) expose
 * the ledger, the locks and the agents' liveness to an assistant.
 */
export class CrewMcpServerConfig {
  /** Off: atlas answers 404 on /mcp and `opscrew mcp` refuses to start. */
  @Bool({ optional: true }) enabled: boolean = true;
  /**
   * Adds `ack_incident`, the one tool that changes something (it stops an
   * escalation's pages). Off by default: a model that can ack can silence an
   * outage, so a person decides to allow it (OWASP LLM06, excessive agency).
   */
  @Bool({ optional: true }) allow_ack: boolean = false;
}
