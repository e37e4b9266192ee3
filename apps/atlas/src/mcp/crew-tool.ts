import { type z } from 'zod';

/** What a tool hands back: the data (sent as JSON text) and a one-line summary for the audit log. */
export interface CrewToolResult {
  readonly data: unknown;
  readonly summary: string;
  /** The incident the call was about, for the audit record. */
  readonly incidentId?: string;
}

/**
 * One MCP tool of the crew's server. `call` validates its raw arguments
 * (ToolInputError) before it runs, so no handler ever sees unchecked input.
 */
export interface CrewTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Changes state (ack_incident); everything else only reads. */
  readonly mutating: boolean;
  /** The argument schema; listTools shows it as JSON Schema. */
  readonly input: z.ZodType;
  /** Validates `args`, then awaits `beforeRun` (the audit gate of a mutating tool), then runs. */
  call(args: unknown, beforeRun?: () => Promise<void>): Promise<CrewToolResult>;
}

/** A call the tool declines with a reason the client should read (not found, nothing to do). */
export class ToolRefusal extends Error {
  override readonly name = 'ToolRefusal';
}

/** Arguments that do not match the tool's schema; `fields` names each offending argument. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
  constructor(
    readonly fields: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** Longest echo of a rejected value in an error: enough to recognise it, never a payload. */
const ECHO_MAX_CHARS = 40;

export function defineTool<S extends z.ZodType>(definition: {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly mutating: boolean;
  readonly input: S;
  run(input: z.output<S>): Promise<CrewToolResult>;
}): CrewTool {
  return {
    name: definition.name,
    title: definition.title,
    description: definition.description,
    mutating: definition.mutating,
    input: definition.input,
    async call(args: unknown, beforeRun?: () => Promise<void>): Promise<CrewToolResult> {
      // A call without arguments is an empty object (MCP makes `arguments` optional).
      const parsed = definition.input.safeParse(args ?? {}, { reportInput: true });
      if (!parsed.success) throw inputError(parsed.error.issues);
      await beforeRun?.();
      return definition.run(parsed.data);
    },
  };
}

function inputError(issues: readonly z.core.$ZodIssue[]): ToolInputError {
  const fields: string[] = [];
  const lines = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      fields.push(...issue.keys);
      return issue.keys.map((key) => `${key}: unknown argument`).join('; ');
    }
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'arguments';
    fields.push(field);
    return `${field}: ${issue.message}${echo(issue.input)}`;
  });
  return new ToolInputError(fields, lines.join('; '));
}

/** `, got 10000` for a short scalar; nothing for objects, long text or a missing value. */
function echo(input: unknown): string {
  if (typeof input === 'number' || typeof input === 'boolean') return `, got ${String(input)}`;
  if (typeof input === 'string') {
    const shown = input.length > ECHO_MAX_CHARS ? `${input.slice(0, ECHO_MAX_CHARS)}…` : input;
    return `, got ${JSON.stringify(shown)}`;
  }
  return '';
}
