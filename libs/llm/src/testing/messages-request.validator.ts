/**
 * The checks the Messages API makes on what the crew sends (there is no
 * published OpenAPI document to validate against): headers, model,
 * max_tokens, alternating roles, block shapes, tool_use/tool_result pairing,
 * tool definitions, and no unknown top-level keys. Returns the first problem
 * as the API words it, or null.
 *
 * Not on the shared OpenApiValidator (@opscrew/integrations/testing): with no vendor
 * document there is nothing for it to read, most of these rules (alternation, tool_use →
 * tool_result pairing, unique tool names) are not expressible in JSON Schema, and the
 * messages are the API's own wording, which Ajv's would replace.
 */

const TOP_LEVEL_KEYS = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'metadata',
  'stream',
  'thinking',
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface MessagesHeaders {
  readonly [name: string]: string | string[] | undefined;
}

/** 401 problems (authentication) are told apart from 400 (invalid request). */
export type RequestProblem = {
  readonly status: 400 | 401;
  readonly type: string;
  readonly message: string;
};

export function checkMessagesRequest(
  headers: MessagesHeaders,
  body: unknown,
): RequestProblem | null {
  const bad = (message: string): RequestProblem => ({
    status: 400,
    type: 'invalid_request_error',
    message,
  });
  // The API takes the key as `x-api-key`, or as `Authorization: Bearer` (what SDK 1.13 sends).
  const key = headers['x-api-key'];
  const authorization = headers.authorization;
  const bearer =
    typeof authorization === 'string' ? /^Bearer\s+(\S+)$/.exec(authorization)?.[1] : undefined;
  if ((typeof key !== 'string' || key.trim() === '') && bearer === undefined) {
    return { status: 401, type: 'authentication_error', message: 'x-api-key header is required' };
  }
  if (typeof headers['anthropic-version'] !== 'string') {
    return bad('anthropic-version: header is required');
  }
  if (!isObject(body)) return bad('body: Input should be a valid dictionary');
  for (const name of Object.keys(body)) {
    if (!TOP_LEVEL_KEYS.has(name)) return bad(`${name}: Extra inputs are not permitted`);
  }
  if (typeof body.model !== 'string' || body.model === '') return bad('model: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return bad('max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    return bad('system: Input should be a valid string or list of text blocks');
  }
  const toolProblem = checkTools(body.tools);
  if (toolProblem) return bad(toolProblem);
  return checkMessages(body.messages, bad);
}

function checkTools(tools: unknown): string | null {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const seen = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) return `tools.${i}: Input should be a valid dictionary`;
    if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    }
    if (seen.has(tool.name)) return `tools: Tool names must be unique.`;
    seen.add(tool.name);
    if (tool.description !== undefined && typeof tool.description !== 'string') {
      return `tools.${i}.description: Input should be a valid string`;
    }
    if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
      return `tools.${i}.input_schema: Input should be a JSON schema with type "object"`;
    }
  }
  return null;
}

function checkMessages(
  messages: unknown,
  bad: (message: string) => RequestProblem,
): RequestProblem | null {
  if (!Array.isArray(messages) || messages.length === 0) {
    return bad('messages: at least one message is required');
  }
  let pending = new Set<string>();
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return bad(`messages.${i}: Input should be a valid dictionary`);
    const role = message.role;
    if (role !== 'user' && role !== 'assistant') {
      return bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    if (i === 0 && role !== 'user') return bad('messages: first message must use the "user" role');
    const previous = i > 0 ? (messages[i - 1] as Json).role : undefined;
    if (previous === role) {
      return bad(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`,
      );
    }
    const content = message.content;
    if (typeof content === 'string') {
      if (pending.size > 0) return toolResultsMissing(i, pending, bad);
      continue;
    }
    if (!Array.isArray(content) || content.length === 0) {
      return bad(`messages.${i}.content: Input should be a valid string or a non-empty list`);
    }
    const results = new Set<string>();
    const uses = new Set<string>();
    for (const [j, block] of content.entries()) {
      if (!isObject(block))
        return bad(`messages.${i}.content.${j}: Input should be a valid dictionary`);
      switch (block.type) {
        case 'text':
          if (typeof block.text !== 'string')
            return bad(`messages.${i}.content.${j}.text: Field required`);
          break;
        case 'tool_use':
          if (role !== 'assistant')
            return bad(
              `messages.${i}.content.${j}: tool_use blocks are only allowed in assistant messages`,
            );
          if (
            typeof block.id !== 'string' ||
            typeof block.name !== 'string' ||
            !isObject(block.input)
          ) {
            return bad(`messages.${i}.content.${j}: tool_use needs id, name and an object input`);
          }
          uses.add(block.id);
          break;
        case 'tool_result': {
          if (role !== 'user')
            return bad(
              `messages.${i}.content.${j}: tool_result blocks are only allowed in user messages`,
            );
          if (typeof block.tool_use_id !== 'string')
            return bad(`messages.${i}.content.${j}.tool_use_id: Field required`);
          if (!pending.has(block.tool_use_id)) {
            return bad(
              `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
            );
          }
          if (
            block.content !== undefined &&
            typeof block.content !== 'string' &&
            !Array.isArray(block.content)
          ) {
            return bad(
              `messages.${i}.content.${j}.content: Input should be a valid string or list`,
            );
          }
          if (block.is_error !== undefined && typeof block.is_error !== 'boolean') {
            return bad(`messages.${i}.content.${j}.is_error: Input should be a valid boolean`);
          }
          results.add(block.tool_use_id);
          break;
        }
        default:
          return bad(
            `messages.${i}.content.${j}.type: unsupported block type ${JSON.stringify(block.type)}`,
          );
      }
    }
    if (role === 'user') {
      const missing = [...pending].filter((id) => !results.has(id));
      if (missing.length > 0) return toolResultsMissing(i, new Set(missing), bad);
      pending = new Set();
    } else {
      pending = uses;
    }
  }
  return null;
}

function toolResultsMissing(
  index: number,
  ids: ReadonlySet<string>,
  bad: (message: string) => RequestProblem,
): RequestProblem {
  return bad(
    `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${[...ids].join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
  );
}
