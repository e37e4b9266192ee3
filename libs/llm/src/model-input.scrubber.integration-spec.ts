import { configuredSecrets } from '@opscrew/contracts';
import { RecordingAudit, SECRET_SHAPES } from '@opscrew/testing';
import { AnthropicLlmClient } from './anthropic.llm-client';
import { AnthropicContractServer, contractLlmSettings } from './testing';
import { InProcessTools } from './tools/in-process-tools';
import { ToolWhitelist } from './tools/tool-whitelist';

describe('AnthropicLlmClient: no secret reaches the model', () => {
  const api = new AnthropicContractServer();
  const configured = 'cfg-LLM-7f6e5d4c3b2a19087f6e';
  const evidence = SECRET_SHAPES.map((shape) => shape.line).join('\n');

  beforeAll(() => api.start());
  afterAll(() => api.stop());
  beforeEach(() => {
    api.reset();
    configuredSecrets.register(configured);
  });
  afterEach(() => configuredSecrets.clear());

  it('scrubs the user turn and every tool result in the request bodies', async () => {
    api.enqueue(
      {
        kind: 'message',
        content: [{ type: 'tool_use', name: 'read_logs', input: { service: 'cart' } }],
      },
      { kind: 'message', content: [{ type: 'text', text: 'done' }] },
    );
    const tools = new InProcessTools([
      {
        name: 'read_logs',
        description: 'Recent log lines of a service',
        input_schema: { type: 'object', properties: { service: { type: 'string' } } },
        execute: () => Promise.resolve(`${evidence}\nconnect with ${configured}`),
      },
    ]);
    const client = new AnthropicLlmClient({
      settings: contractLlmSettings(api.baseUrl),
      agent: 'ops-monitor',
      whitelist: new ToolWhitelist(new Map([['ops-monitor', ['read_logs']]])),
      toolProviders: [tools],
      audit: new RecordingAudit(),
    });
    const result = await client.run({
      agent: 'ops-monitor',
      purpose: 'triage',
      incident_id: 'INC-20261207-001',
      system: 'You triage.',
      messages: [
        {
          role: 'user',
          content: `evidence:\n${evidence}\nurl-encoded ${encodeURIComponent(configured)}`,
        },
      ],
    });
    expect(result.stop).toBe('end_turn');
    expect(api.requests).toHaveLength(2);
    const bodies = JSON.stringify(api.requests.map((request) => request.body));
    for (const shape of SECRET_SHAPES) expect(bodies).not.toContain(shape.secret);
    expect(bodies).not.toContain(configured.slice(0, 8));
    expect(bodies).toContain('[REDACTED:configured]');
    // The tool result still reaches the model, wrapped as data, with markers in place of secrets.
    const fed = api.requests[1]?.body.messages[2]?.content as { content: string }[];
    expect(fed[0]?.content).toContain('<data source="local/read_logs">');
    expect(fed[0]?.content).toContain('[REDACTED:anthropic]');
  });
});
