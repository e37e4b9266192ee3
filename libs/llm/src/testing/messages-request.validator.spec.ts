import { checkMessagesRequest } from './messages-request.validator';

const HEADERS = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
const valid = {
  model: 'claude-sonnet-5-5',
  max_tokens: 100,
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'a', input: {} }] },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x', is_error: true }],
    },
  ],
  tools: [{ name: 'a', description: 'd', input_schema: { type: 'object' } }],
};

describe('checkMessagesRequest (the contract server\u2019s validation)', () => {
  it('accepts a valid tool conversation', () => {
    expect(checkMessagesRequest(HEADERS, valid)).toBeNull();
    expect(
      checkMessagesRequest({ authorization: 'Bearer k', 'anthropic-version': 'v' }, valid),
    ).toBeNull();
  });

  it.each([
    ['no key', { 'anthropic-version': 'v' }, valid, 401, 'x-api-key header is required'],
    ['no version', { 'x-api-key': 'k' }, valid, 400, 'anthropic-version: header is required'],
    ['an unknown key', HEADERS, { ...valid, foo: 1 }, 400, 'foo: Extra inputs are not permitted'],
    [
      'no max_tokens',
      HEADERS,
      { ...valid, max_tokens: 0 },
      400,
      'max_tokens: Input should be a valid integer greater than or equal to 1',
    ],
    [
      'roles not alternating',
      HEADERS,
      {
        ...valid,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      },
      400,
      'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    ],
    [
      'an assistant first',
      HEADERS,
      { ...valid, messages: [{ role: 'assistant', content: 'a' }] },
      400,
      'messages: first message must use the "user" role',
    ],
    [
      'a bad tool name',
      HEADERS,
      { ...valid, tools: [{ name: 'docker rm', input_schema: { type: 'object' } }] },
      400,
      "tools.0.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
    ],
    [
      'a tool schema that is not an object',
      HEADERS,
      { ...valid, tools: [{ name: 'a', input_schema: { type: 'string' } }] },
      400,
      'tools.0.input_schema: Input should be a JSON schema with type "object"',
    ],
  ])('refuses %s', (_name, headers, body, status, message) => {
    expect(checkMessagesRequest(headers, body)).toMatchObject({ status, message });
  });

  it('refuses a tool_use without its tool_result, and a tool_result without its tool_use', () => {
    const [first, second] = valid.messages;
    expect(
      checkMessagesRequest(HEADERS, {
        ...valid,
        messages: [first, second, { role: 'user', content: 'x' }],
      })?.message,
    ).toMatch(
      /^messages\.2: `tool_use` ids were found without `tool_result` blocks immediately after: t1/,
    );
    expect(
      checkMessagesRequest(HEADERS, {
        ...valid,
        messages: [
          first,
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'zz' }] },
        ],
      })?.message,
    ).toMatch(/unexpected `tool_use_id` found in `tool_result` blocks: zz/);
  });
});
