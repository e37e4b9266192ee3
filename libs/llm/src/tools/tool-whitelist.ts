/**
 * Security layer 2 (DESIGN.md "Security, in code"): which tool an agent's
 * model may call, decided here — where tools are called — from
 * `agents.<name>.tools`, never from a prompt.
 */

/** Tool names as the Messages API accepts them; anything else (`docker rm`, `a;b`) is refused unread. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Words that name destructive or arbitrary-execution verbs. A tool whose name
 * holds one is never granted, whatever the config says: the runtime sandbox
 * allows restart/logs/inspect only, and the crew never deletes tickets — so a
 * whitelist that somehow lists `runtime_exec` or `jira_delete_issue` is a
 * mistake this invariant catches (widening config cannot widen this). `stop` is
 * not in the list: `locust_stop` stops load, and runtime stops are the sandbox's to refuse.
 */
export const NEVER_GRANTED_TOOL_WORDS = [
  'exec',
  'execute',
  'shell',
  'bash',
  'sh',
  'eval',
  'rm',
  'remove',
  'delete',
  'destroy',
  'drop',
  'kill',
  'build',
  'prune',
  'purge',
] as const;

export type ToolVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export class ToolWhitelist {
  constructor(private readonly byAgent: ReadonlyMap<string, readonly string[]>) {}

  /** The agent's whitelist minus anything the invariant refuses. */
  grantedTo(agent: string): string[] {
    return (this.byAgent.get(agent) ?? []).filter((tool) => this.check(agent, tool).allowed);
  }

  check(agent: string, tool: string): ToolVerdict {
    const refused = (why: string): ToolVerdict => ({
      allowed: false,
      reason: `refused: ${printable(tool)} is not allowed for ${agent}${why}`,
    });
    if (!TOOL_NAME_PATTERN.test(tool)) return refused(' (not a valid tool name)');
    const words = tool.toLowerCase().split(/[_-]+/);
    const verb = NEVER_GRANTED_TOOL_WORDS.find((word) => words.includes(word));
    if (verb !== undefined) return refused(` (tools that ${verb} are never granted)`);
    if (!(this.byAgent.get(agent) ?? []).includes(tool)) return refused('');
    return { allowed: true };
  }
}

/** A name the model made up may hold anything: one line, bounded, for messages and logs. */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const flat = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return flat.length <= 80 ? flat : `${flat.slice(0, 79)}…`;
}
