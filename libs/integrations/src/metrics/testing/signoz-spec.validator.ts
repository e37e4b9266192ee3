import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** SigNoz's own OpenAPI document (`../shared/specs` beside the repository, DESIGN.md). */
export const SIGNOZ_SPEC_PATH = resolve(
  __dirname,
  '../../../../../../shared/specs/signoz/openapi.yml',
);

/** The id the whole document is registered under, so its `#/components/...` refs resolve. */
const DOCUMENT_ID = 'signoz-openapi';

/**
 * Validates SigNoz request bodies against the request-body schemas of
 * SigNoz's OpenAPI document, with Ajv. (openapi-backend would be the natural
 * choice, but its ref parser is an ES module that Jest on Node 20 cannot
 * `require`.)
 *
 * One rewrite first: the spec types a query envelope (and a builder spec) as a
 * `oneOf` with a `discriminator.mapping`, but the variants do not exclude each
 * other (every envelope's `type` is the same full enum), so plain JSON Schema
 * matches several and rejects even the spec's own `traces_raw` example. Ajv
 * does not implement `mapping`. The rewrite expresses what the discriminator
 * means — pick the variant named by the property — as `if/then` per mapping
 * entry; with it all 15 documented `/api/v5/query_range` examples validate.
 */
export class SignozSpecValidator {
  private readonly compiled = new Map<string, ValidateFunction | null>();

  private constructor(
    private readonly ajv: Ajv,
    private readonly document: OpenApiDocument,
  ) {}

  static load(specPath: string = SIGNOZ_SPEC_PATH): Promise<SignozSpecValidator> {
    let text: string;
    try {
      text = readFileSync(specPath, 'utf8');
    } catch (error) {
      return Promise.reject(
        new Error(`SigNoz OpenAPI spec not readable at ${specPath}: ${String(error)}`),
      );
    }
    const document = rewriteDiscriminators(parseYaml(text)) as OpenApiDocument;
    // OpenAPI 3.0 schemas: `nullable` is understood by Ajv; `example`, `deprecated`… are ignored (strict off).
    const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
    addFormats(ajv);
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('double', { type: 'number', validate: () => true });
    ajv.addFormat('float', { type: 'number', validate: () => true });
    ajv.addSchema({ $id: DOCUMENT_ID, components: document.components ?? {} });
    return Promise.resolve(new SignozSpecValidator(ajv, document));
  }

  /** The reasons a JSON request body is invalid for this operation (empty: valid). */
  validate(method: string, path: string, body: unknown): string[] {
    const key = `${method.toLowerCase()} ${path}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      const schema =
        this.document.paths?.[path]?.[method.toLowerCase()]?.requestBody?.content?.[
          'application/json'
        ]?.schema;
      validate = schema === undefined ? null : this.ajv.compile(withDocumentRefs(schema));
      this.compiled.set(key, validate);
    }
    if (validate === null) return [`no JSON request body for ${method} ${path} in the SigNoz spec`];
    if (validate(body)) return [];
    return [
      ...new Set(
        (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
      ),
    ];
  }
}

interface OpenApiDocument {
  readonly components?: Record<string, unknown>;
  readonly paths?: Record<
    string,
    | Record<
        string,
        | { requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }
        | undefined
      >
    | undefined
  >;
}

/** A path's schema refers to `#/components/...` of the document: point those refs at the registered document. */
function withDocumentRefs(schema: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(schema).replace(/"#\/components\//g, `"${DOCUMENT_ID}#/components/`),
  ) as Record<string, unknown>;
}

/** Replaces `oneOf` + `discriminator.mapping` with an if/then per mapped value (see the class comment). */
export function rewriteDiscriminators(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteDiscriminators);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewriteDiscriminators(value);
  const discriminator = out['discriminator'];
  if (
    typeof discriminator === 'object' &&
    discriminator !== null &&
    Array.isArray(out['oneOf']) &&
    typeof (discriminator as Record<string, unknown>)['mapping'] === 'object'
  ) {
    const { propertyName, mapping } = discriminator as {
      propertyName: string;
      mapping: Record<string, string>;
    };
    delete out['discriminator'];
    delete out['oneOf'];
    const required = Array.isArray(out['required']) ? (out['required'] as string[]) : [];
    out['required'] = [...new Set([...required, propertyName])];
    out['properties'] = {
      ...(out['properties'] as Record<string, unknown> | undefined),
      [propertyName]: { type: 'string', enum: Object.keys(mapping) },
    };
    out['allOf'] = Object.entries(mapping).map(([value, ref]) => ({
      if: { properties: { [propertyName]: { const: value } }, required: [propertyName] },
      then: { $ref: ref },
    }));
  }
  return out;
}
