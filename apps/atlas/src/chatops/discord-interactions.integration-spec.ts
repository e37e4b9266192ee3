import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LOADED_CONFIG } from '@opscrew/config';
import { DiscordInteractionsClient } from '@opscrew/integrations';
import { DiscordContractServer } from '@opscrew/integrations/testing';
import { AUDIT, type AuditEntry } from '@opscrew/ports';
import { jestTimeout } from '@opscrew/testing';
import { CHAT_COMMAND_HANDLERS, type ChatCommandHandler } from './chat-command';
import { ChatController } from './chat.controller';
import { ChatRouter } from './chat.router';
import { DEFER_AFTER_MS, DiscordInteractionsController } from './discord-interactions.controller';
import { DiscordSignatureVerifier, ed25519PublicKey } from './discord-signature.verifier';

jest.setTimeout(jestTimeout(30_000));

const TOKEN = 'chat-test-token-0123456789';

/**
 * POST /discord/interactions through HTTP with a real Ed25519 key pair, the router with stand-in
 * handlers, and Discord's contract server receiving the deferred answers' edits.
 */
describe('POST /discord/interactions and POST /chat (HTTP, contract server)', () => {
  const discord = new DiscordContractServer();
  const audit: AuditEntry[] = [];
  let app: INestApplication;
  let base: string;
  let privateKey: KeyObject;
  let slowMs = 0;

  const handlers: ChatCommandHandler[] = [
    {
      name: 'status',
      execute: (options, caller) =>
        Promise.resolve({
          text: `crew fine for ${caller.name}${typeof options['service'] === 'string' ? ` (${options['service']})` : ''} @everyone https://evil.example.com`,
        }),
    },
    {
      name: 'incident',
      execute: async (options) => {
        await new Promise((resolve) => setTimeout(resolve, slowMs));
        return { text: `slow answer about ${String(options['id'])}` };
      },
    },
  ];

  beforeAll(async () => {
    await discord.start();
    const pair = generateKeyPairSync('ed25519');
    privateKey = pair.privateKey;
    const der = pair.publicKey.export({ format: 'der', type: 'spki' });
    const publicHex = der.subarray(der.length - 32).toString('hex');
    const moduleRef = await Test.createTestingModule({
      controllers: [DiscordInteractionsController, ChatController],
      providers: [
        { provide: CHAT_COMMAND_HANDLERS, useValue: handlers },
        {
          provide: AUDIT,
          useValue: { record: (entry: AuditEntry) => Promise.resolve(void audit.push(entry)) },
        },
        { provide: LOADED_CONFIG, useValue: { config: { http: { api_token: TOKEN } } } },
        ChatRouter,
        {
          provide: DiscordSignatureVerifier,
          useValue: new DiscordSignatureVerifier(ed25519PublicKey(publicHex)),
        },
        {
          provide: DiscordInteractionsClient,
          useValue: new DiscordInteractionsClient({
            apiBaseUrl: discord.apiBaseUrl,
            applicationId: discord.applicationId,
            timeoutMs: 2000,
          }),
        },
      ],
    }).compile();
    // As runAgent builds every agent: raw bodies kept, bodies validated, unknown fields refused.
    app = moduleRef.createNestApplication({ logger: false, rawBody: true });
    app.useGlobalPipes(
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await discord.stop();
  });

  beforeEach(() => {
    slowMs = 0;
    audit.length = 0;
  });

  const post = (
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: Record<string, unknown> }> =>
    fetch(`${base}/discord/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }).then(async (response) => ({
      status: response.status,
      json: (await response.json()) as Record<string, unknown>,
    }));

  const signedHeaders = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
    'x-signature-timestamp': String(timestamp),
    'x-signature-ed25519': sign(null, Buffer.from(`${timestamp}${body}`), privateKey).toString(
      'hex',
    ),
  });

  const command = (name: string, options: Record<string, string>, token = 'x'): string =>
    JSON.stringify({
      type: 2,
      id: '1300000000000000001',
      application_id: discord.applicationId,
      token,
      // Discord sends much more; unknown fields are ignored.
      guild_id: '1200000000000000001',
      locale: 'en-US',
      member: { user: { id: '1100000000000000001', username: 'alice', global_name: 'Alice' } },
      data: {
        id: '1400000000000000001',
        name,
        type: 1,
        options: Object.entries(options).map(([key, value]) => ({ name: key, type: 3, value })),
      },
    });

  it('answers a PING with a PONG, and refuses one without or with a bad signature (401)', async () => {
    const body = '{"type":1,"id":"1","application_id":"2","token":"t","version":1}';
    expect(await post(body, signedHeaders(body))).toEqual({ status: 200, json: { type: 1 } });
    const unsigned = await post(body, {});
    expect(unsigned.status).toBe(401);
    expect(unsigned.json['message']).toBe('missing X-Signature-Ed25519 header');
    const tampered = await post(body.replace('"t"', '"u"'), signedHeaders(body));
    expect(tampered).toMatchObject({ status: 401, json: { message: 'invalid request signature' } });
  });

  it('refuses a replayed request and a stale one (401, saying why)', async () => {
    const body = '{"type":1}';
    const headers = signedHeaders(body);
    expect((await post(body, headers)).status).toBe(200);
    expect(await post(body, headers)).toMatchObject({
      status: 401,
      json: { message: 'replayed request' },
    });
    const stale = signedHeaders(body, Math.floor(Date.now() / 1000) - 3600);
    expect((await post(body, stale)).json['message']).toMatch(/^stale request/);
  });

  it('answers /status at once: neutralised, no pings, audited with the Discord user', async () => {
    const body = command('status', { service: 'cart' });
    const { status, json } = await post(body, signedHeaders(body));
    expect(status).toBe(200);
    expect(json).toEqual({
      type: 4,
      data: {
        content: expect.stringContaining('crew fine for alice (cart)'),
        allowed_mentions: { parse: [] },
      },
    });
    const content = (json['data'] as { content: string }).content;
    expect(content).not.toMatch(/@everyone|https:\/\//);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'chat.status',
        verdict: 'allowed',
        result: expect.stringContaining('discord user 1100000000000000001 (alice)'),
      }),
    ]);
  });

  it('answers a missing handler as not available (only the caller sees it)', async () => {
    const body = command('restart', { service: 'cart' });
    const { json } = await post(body, signedHeaders(body));
    expect(json).toMatchObject({
      type: 4,
      data: { content: expect.stringContaining('not available'), flags: 64 },
    });
  });

  it('defers a slow command (type 5), then edits the answer in on Discord', async () => {
    slowMs = DEFER_AFTER_MS + 700;
    const token = discord.openInteraction();
    const body = command('incident', { id: 'INC-20250131-001-7k2q' }, token);
    const started = Date.now();
    const { status, json } = await post(body, signedHeaders(body));
    expect(status).toBe(200);
    expect(json).toEqual({ type: 5 });
    expect(Date.now() - started).toBeLessThan(3000);
    const deadline = Date.now() + 10_000;
    while (discord.interactionEdits.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(discord.interactionEdits).toEqual([
      expect.objectContaining({
        token,
        body: {
          content: 'slow answer about INC-20250131-001-7k2q',
          allowed_mentions: { parse: [] },
        },
      }),
    ]);
    expect(discord.requestsFor('update_original_webhook_message').at(-1)?.status).toBe(200);
  });

  it('refuses a body that is not an interaction (400 naming the field)', async () => {
    const body = JSON.stringify({ type: 2, id: 'x', token: 't' });
    const { status, json } = await post(body, signedHeaders(body));
    expect(status).toBe(400);
    expect(String(json['message'])).toMatch(/^id: must be a Discord id/);
  });

  it('POST /chat runs the same router for the CLI, behind the bearer token', async () => {
    const call = (body: unknown, token = TOKEN) =>
      fetch(`${base}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const ok = await call({ command: '/status cart', by: 'bob' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      outcome: 'answered',
      text: expect.stringContaining('crew fine for bob (cart)'),
    });
    expect(audit.at(-1)?.result).toContain('cli user bob (bob): /status');
    const bad = await call({ command: '/status cart checkout' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(
      /unexpected argument "checkout"/,
    );
    expect((await call({ command: '/status', extra: 1 })).status).toBe(400);
    expect((await call({ command: '/status' }, 'wrong')).status).toBe(401);
  });
});
