/**
 * The name the model (and the whitelist) sees for an MCP server's tool:
 * `<server>_<tool>`, so two servers' `search` never collide and a whitelist
 * says which server a tool comes from. A tool already prefixed with its
 * server's name keeps it (SigNoz's `signoz_list_services` stays as is, which
 * is how `agents.*.tools` lists it). Characters the Messages API refuses
 * become `_`; null when the result is still not a valid name.
 */
export function namespacedToolName(server: string, tool: string): string | null {
  const prefix = sanitise(server);
  const base = sanitise(tool);
  const name = base.startsWith(`${prefix}_`) ? base : `${prefix}_${base}`;
  return /^[a-zA-Z0-9_-]{1,64}$/.test(name) ? name : null;
}

function sanitise(part: string): string {
  return part.replace(/[^a-zA-Z0-9_]/g, '_');
}
