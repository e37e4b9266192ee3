import { ConfigFixture } from '@opscrew/config/testing';
import { EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { chat, type ChatEnvironment } from './chat.command';

describe('opscrew chat (atlas stubbed)', () => {
  let fixture: ConfigFixture;
  const calls: { url: string; init: RequestInit }[] = [];
  beforeEach(() => {
    calls.length = 0;
    fixture = ConfigFixture.shipped();
    fixture.patch(
      'opscrew.json5',
      "host: '${OPSCREW_HTTP_HOST}',",
      "host: '${OPSCREW_HTTP_HOST}',\n    api_token: 'chat-unit-token-0123456789',",
    );
  });
  afterEach(() => fixture.remove());

  const env = (reply: () => Promise<Response>, userName = 'alice'): ChatEnvironment => ({
    userName: () => userName,
    fetch: (url, init) => {
      calls.push({ url, init });
      return reply();
    },
  });
  const json = (status: number, body: unknown) => () =>
    Promise.resolve(new Response(JSON.stringify(body), { status }));

  it("posts the text to atlas's /chat with the token and the OS user, printing the answer", async () => {
    const io = new RecordingIo();
    const code = await chat(
      '/status',
      { config: fixture.dir },
      io,
      env(json(200, { outcome: 'answered', text: 'Agents: …' })),
    );
    expect(code).toBe(EXIT_OK);
    expect(io.stdout).toEqual(['Agents: …']);
    expect(calls[0]?.url).toBe('http://127.0.0.1:3000/chat');
    expect(calls[0]?.init.headers).toMatchObject({
      authorization: 'Bearer chat-unit-token-0123456789',
    });
    expect(JSON.parse(calls[0]?.init.body as string)).toEqual({ command: '/status', by: 'alice' });
  });

  it('exits 1 for a refused command and 2 for a 400, printing atlas’s reason', async () => {
    const refused = new RecordingIo();
    expect(
      await chat(
        '/ack INC-20250131-001',
        { config: fixture.dir },
        refused,
        env(json(200, { outcome: 'refused', text: 'No incident.' })),
      ),
    ).toBe(EXIT_FAILURE);
    expect(refused.stderr).toEqual(['No incident.']);
    const bad = new RecordingIo();
    expect(
      await chat(
        '/nope',
        { config: fixture.dir },
        bad,
        env(json(400, { message: 'unknown command "/nope"' })),
      ),
    ).toBe(EXIT_INVALID);
    expect(bad.stderr).toEqual(['opscrew chat: atlas answered 400: unknown command "/nope"']);
  });

  it('says atlas is unreachable, and refuses a bad --by before calling', async () => {
    const down = new RecordingIo();
    expect(
      await chat(
        '/status',
        { config: fixture.dir, url: 'http://127.0.0.1:9' },
        down,
        env(() => Promise.reject(new Error('ECONNREFUSED'))),
      ),
    ).toBe(EXIT_FAILURE);
    expect(down.stderr[0]).toMatch(
      /cannot reach atlas at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/,
    );
    const by = new RecordingIo();
    expect(await chat('/status', { config: fixture.dir, by: 'a b' }, by, env(json(200, {})))).toBe(
      EXIT_INVALID,
    );
    expect(by.stderr[0]).toMatch(/--by: "a b" must be a short name/);
  });

  it('needs http.api_token in the config', async () => {
    const plain = ConfigFixture.shipped();
    try {
      const io = new RecordingIo();
      expect(await chat('/status', { config: plain.dir }, io, env(json(200, {})))).toBe(
        EXIT_INVALID,
      );
      expect(io.stderr[0]).toMatch(/no http\.api_token/);
      expect(calls).toHaveLength(0);
    } finally {
      plain.remove();
    }
  });
});
