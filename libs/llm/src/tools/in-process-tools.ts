import { errorMessage } from '@opscrew/contracts';
import {
  type LlmTool,
  type ToolInputSchema,
  type ToolOutcome,
  type ToolProvider,
} from './llm-tool';
import { TOOL_NAME_PATTERN } from './tool-whitelist';

export interface InProcessToolSpec {
  readonly name: string;
  readonly description: string;
  readonly input_schema: ToolInputSchema;
  /**
   * Runs the tool. The input is whatever the model sent: validate it here. A
   * thrown error becomes an `is_error` result the model sees (its message only).
   */
  execute(input: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<string>;
}

/** Tools implemented in this process (ledger reads, runtime logs through the sandbox…). */
export class InProcessTools implements ToolProvider {
  private readonly byName = new Map<string, LlmTool>();

  constructor(specs: readonly InProcessToolSpec[] = []) {
    for (const spec of specs) this.add(spec);
  }

  add(spec: InProcessToolSpec): this {
    if (!TOOL_NAME_PATTERN.test(spec.name)) {
      throw new Error(
        `in-process tool "${spec.name}": name must match ${String(TOOL_NAME_PATTERN)}`,
      );
    }
    if (this.byName.has(spec.name)) {
      throw new Error(`in-process tool "${spec.name}": registered twice`);
    }
    this.byName.set(spec.name, {
      name: spec.name,
      description: spec.description,
      input_schema: spec.input_schema,
      source: `local/${spec.name}`,
      call: async (input, signal): Promise<ToolOutcome> => {
        try {
          return { content: await spec.execute(input, signal), is_error: false };
        } catch (err: unknown) {
          return { content: `${spec.name} failed: ${errorMessage(err)}`, is_error: true };
        }
      },
    });
    return this;
  }

  tools(): readonly LlmTool[] {
    return [...this.byName.values()];
  }
}
