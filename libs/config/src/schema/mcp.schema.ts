import { OneOf, Str, StrList, StrRecord, Url } from './validators';

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
