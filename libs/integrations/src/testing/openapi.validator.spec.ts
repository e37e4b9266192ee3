import { OpenApiValidator } from './openapi.validator';

/** A tiny document with what the vendor specs use: templates, $ref'd parameters, a discriminator. */
const DOCUMENT = {
  openapi: '3.0.1',
  paths: {
    '/things': {
      post: {
        operationId: 'createThing',
        requestBody: { $ref: '#/components/requestBodies/Thing' },
      },
    },
    '/things/mine': { get: { operationId: 'getMine' } },
    '/things/{thingId}': {
      parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        operationId: 'getThing',
        parameters: [
          { $ref: '#/components/parameters/Limit' },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
        ],
      },
    },
    '/shapes': {
      post: {
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Shape' } } },
        },
      },
    },
  },
  components: {
    parameters: {
      Limit: { name: 'limit', in: 'query', schema: { type: 'integer', format: 'int32' } },
    },
    requestBodies: {
      Thing: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', maxLength: 5 }, id: { format: 'snowflake' } },
            },
          },
        },
      },
    },
    schemas: {
      Shape: {
        oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }],
        discriminator: {
          propertyName: 'kind',
          mapping: { circle: '#/components/schemas/Circle', square: '#/components/schemas/Square' },
        },
      },
      Circle: { type: 'object', required: ['r'], properties: { kind: { type: 'string' } } },
      Square: { type: 'object', required: ['side'], properties: { kind: { type: 'string' } } },
    },
  },
};

const request = (method: string, path: string, body?: unknown, query = {}) => ({
  method,
  path,
  query,
  headers: { 'content-type': 'application/json' },
  body,
});

describe('OpenApiValidator', () => {
  const validator = OpenApiValidator.fromDocument(DOCUMENT, {
    apiRoot: '/api/v1',
    formats: { snowflake: /^\d+$/ },
  });

  it('matches an operation under the api root, the exact path before a template', () => {
    expect(validator.check(request('GET', '/api/v1/things/mine'))).toEqual({
      ok: true,
      operationId: 'getMine',
      params: {},
    });
    expect(validator.check(request('GET', '/api/v1/things/T%201'))).toEqual({
      ok: true,
      operationId: 'getThing',
      params: { thingId: 'T 1' },
    });
  });

  it('answers 404 for a path or method the spec lacks, or a path outside the api root', () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nope'],
      ['DELETE', '/api/v1/things/x'],
      ['GET', '/things/mine'],
    ] as const) {
      expect(validator.check(request(method, path))).toMatchObject({ ok: false, status: 404 });
    }
  });

  it('checks a $ref request body: required, schema, vendor formats', () => {
    expect(
      validator.check(request('POST', '/api/v1/things', { name: 'a', id: '12' })),
    ).toMatchObject({ ok: true, operationId: 'createThing' });
    expect(validator.check(request('POST', '/api/v1/things'))).toEqual({
      ok: false,
      status: 400,
      reason: "createThing: / must have required property 'requestBody'",
    });
    const verdict = validator.check(
      request('POST', '/api/v1/things', { name: 'toolong', id: 'x' }),
    );
    expect(verdict).toMatchObject({ ok: false, status: 400 });
    expect(!verdict.ok && verdict.reason).toContain('/requestBody/name must NOT have more than 5');
    expect(!verdict.ok && verdict.reason).toContain(
      '/requestBody/id must match format "snowflake"',
    );
  });

  it('coerces query strings to the spec types and refuses unknown query parameters', () => {
    const ok = (query: Record<string, string>) =>
      validator.check(request('GET', '/api/v1/things/a', undefined, query)).ok;
    expect(ok({ limit: '10', tags: 'x' })).toBe(true);
    expect(ok({ limit: 'ten' })).toBe(false);
    expect(ok({ other: '1' })).toBe(false);
  });

  it('reads a discriminator mapping as the variant the property names', () => {
    expect(validator.validateBody('POST', '/shapes', { kind: 'circle', r: 1 })).toEqual([]);
    expect(validator.validateBody('POST', '/shapes', { kind: 'square', r: 1 })).toEqual([
      "/ must have required property 'side'",
      '/ must match "then" schema',
    ]);
    expect(validator.validateBody('GET', '/things/mine', {})).toEqual([
      'no JSON request body for GET /things/mine in the spec',
    ]);
  });
});
