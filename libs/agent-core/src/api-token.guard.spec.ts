import { type Server } from 'node:http';
import { Controller, type INestApplication, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import request from 'supertest';
import { ApiTokenGuard, bearerTokenMatches } from './api-token.guard';

const TOKEN = 'test-api-token-0123456789';

@Controller('things')
class ThingsController {
  @Post('poke')
  @UseGuards(ApiTokenGuard)
  poke(): { poked: true } {
    return { poked: true };
  }
}

/** Only `config.http.api_token` is read by the guard. */
function loadedWith(apiToken: string | undefined): LoadedConfig {
  return {
    config: { http: { host: '127.0.0.1', api_token: apiToken } },
  } as unknown as LoadedConfig;
}

async function appWith(apiToken: string | undefined): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    controllers: [ThingsController],
    providers: [{ provide: LOADED_CONFIG, useValue: loadedWith(apiToken) }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('bearerTokenMatches', () => {
  it('accepts exactly the configured token, with a case-insensitive scheme', () => {
    expect(bearerTokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerTokenMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it('refuses a wrong, truncated, extended or differently framed token', () => {
    expect(bearerTokenMatches(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(bearerTokenMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
    expect(bearerTokenMatches(`Bearer wrong`, TOKEN)).toBe(false);
    expect(bearerTokenMatches(TOKEN, TOKEN)).toBe(false);
    expect(bearerTokenMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
    expect(bearerTokenMatches(`Bearer ${TOKEN} extra`, TOKEN)).toBe(false);
    expect(bearerTokenMatches(undefined, TOKEN)).toBe(false);
    expect(bearerTokenMatches('Bearer ', '')).toBe(false);
  });
});

describe('ApiTokenGuard', () => {
  describe('with a configured token', () => {
    let app: INestApplication;
    let server: Server;
    beforeAll(async () => {
      app = await appWith(TOKEN);
      server = app.getHttpServer() as Server;
    });
    afterAll(() => app.close());

    it('lets the right bearer token through', async () => {
      const response = await request(server)
        .post('/things/poke')
        .set('Authorization', `Bearer ${TOKEN}`)
        .expect(201);
      expect(response.body).toEqual({ poked: true });
    });

    it('answers 401 naming the missing header', async () => {
      const response = await request(server).post('/things/poke').expect(401);
      expect((response.body as { message: string }).message).toBe(
        'POST /things/poke: missing "Authorization: Bearer <token>" header (the token is http.api_token, OPSCREW_API_TOKEN)',
      );
    });

    it('answers 401 for a wrong token, without echoing it', async () => {
      const response = await request(server)
        .post('/things/poke')
        .set('Authorization', 'Bearer not-the-token-at-all')
        .expect(401);
      const message = (response.body as { message: string }).message;
      expect(message).toContain('POST /things/poke: invalid bearer token');
      expect(message).not.toContain('not-the-token-at-all');
      expect(message).not.toContain(TOKEN);
    });
  });

  it('refuses every call when no token is configured (fail closed)', async () => {
    const app = await appWith(undefined);
    try {
      const response = await request(app.getHttpServer() as Server)
        .post('/things/poke')
        .set('Authorization', 'Bearer anything-at-all-here')
        .expect(401);
      expect((response.body as { message: string }).message).toContain(
        'no http.api_token configured',
      );
    } finally {
      await app.close();
    }
  });
});
