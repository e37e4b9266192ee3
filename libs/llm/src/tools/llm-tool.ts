/** A JSON Schema object, as tool definitions carry it (`type: 'object'` at the top). */
export interface ToolInputSchema {
  readonly type: 'object';
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly [key: string]: unknown;
}

/** What a tool call gave back, as the model will see it (before wrapping as data). */
export interface ToolOutcome {
  readonly content: string;
  readonly is_error: boolean;
}

/** A tool the model can be offered: in-process or on an MCP server. */
export interface LlmTool {
  /** The name the model sees and the whitelist lists (MCP tools: namespaced by server). */
  readonly name: string;
  readonly description: string;
  readonly input_schema: ToolInputSchema;
  /** Where its output comes from: `local`, or `mcp:<server>/<tool>` (the data wrapper's source). */
  readonly source: string;
  call(input: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<ToolOutcome>;
}

/** Anything that contributes tools to the loop: the in-process set, an MCP toolbox. */
export interface ToolProvider {
  tools(): readonly LlmTool[];
}
