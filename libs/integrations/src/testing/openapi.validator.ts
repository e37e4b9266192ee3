// Over ~300 lines: test support: one OpenAPI request validator (routing, parameters with their coercion,
// bodies) shared by every contract server.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { rewriteDiscriminators, withDocumentRefs } from './openapi-schema.rewrite';

export interface SpecRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export type SpecVerdict =
  | { readonly ok: true; readonly operationId: string; readonly params: Record<string, string> }
  | { readonly ok: false; readonly status: 400 | 404; readonly reason: string };

export interface OpenApiValidatorOptions {
  /** The prefix the document's paths sit under in a request path (`/api/v10` for Discord). */
  readonly apiRoot?: string;
  /** Vendor string formats beyond ajv-formats' (Discord's `snowflake`). */
  readonly formats?: Readonly<Record<string, RegExp>>;
}

/** The id the whole document is registered under, so its `#/components/...` refs resolve. */
const DOCUMENT_ID = 'openapi-document';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** The body media types validated, in preference order (as openapi-backend did). */
const BODY_TYPES = ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded'];

type Json = Record<string, unknown>;

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: unknown;
  readonly content?: Readonly<Record<string, { readonly schema?: unknown }>>;
}

interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Length of the template without its `{params}`: the longer, the more specific. */
  readonly specificity: number;
  readonly operationId: string;
  readonly operation: Json;
  readonly pathParameters: readonly unknown[];
}

/**
 * Validates requests against a vendor's published OpenAPI document (3.0 or 3.1, JSON or
 * YAML) with Ajv, for every contract server (Jira, Discord, SigNoz): the operation is
 * matched by method and path template, its path/query/header parameters are checked (query
 * strings coerced as the spec types them; a query parameter the spec lacks is refused) and
 * its JSON body is checked against the request-body schema, so a contract server refuses
 * what the vendor's schema refuses and no validator is written by hand for what the spec
 * covers. Schemas compile on first use of an operation and are kept.
 */
export class OpenApiValidator {
  private readonly compiled = new Map<Route, ValidateFunction[]>();
  private readonly bodies = new Map<string, ValidateFunction | null>();

  private constructor(
    private readonly document: Json,
    private readonly routes: readonly Route[],
    private readonly apiRoot: string,
    /** Bodies: no coercion (a string where the spec says integer is an error). */
    private readonly bodyAjv: Ajv,
    /** Parameters arrive as strings: coerced to the types the spec gives them. */
    private readonly paramAjv: Ajv,
  ) {}

  /** Reads the document (`.yml`/`.yaml` as YAML, else JSON) and prepares its routes. */
  static load(specPath: string, options: OpenApiValidatorOptions = {}): Promise<OpenApiValidator> {
    let text: string;
    try {
      text = readFileSync(specPath, 'utf8');
    } catch (error) {
      return Promise.reject(
        new Error(`OpenAPI document not readable at ${specPath}: ${String(error)}`),
      );
    }
    const parsed: unknown = /\.ya?ml$/i.test(specPath) ? parseYaml(text) : JSON.parse(text);
    return Promise.resolve(OpenApiValidator.fromDocument(parsed, options));
  }

  static fromDocument(document: unknown, options: OpenApiValidatorOptions = {}): OpenApiValidator {
    const rewritten = rewriteDiscriminators(document) as Json;
    const newAjv = (coerce: boolean): Ajv => {
      // OpenAPI keywords Ajv does not know (`example`, `xml`…) are ignored with strict off.
      const ajv = new Ajv({
        allErrors: true,
        strict: false,
        logger: false,
        ...(coerce ? { coerceTypes: 'array' as const } : {}),
      });
      addFormats(ajv);
      ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
      ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
      ajv.addFormat('double', { type: 'number', validate: () => true });
      ajv.addFormat('float', { type: 'number', validate: () => true });
      for (const [name, pattern] of Object.entries(options.formats ?? {})) {
        ajv.addFormat(name, pattern);
      }
      ajv.addSchema({ $id: DOCUMENT_ID, components: rewritten['components'] ?? {} });
      return ajv;
    };
    const apiRoot = (options.apiRoot ?? '/').replace(/\/+$/, '');
    return new OpenApiValidator(
      rewritten,
      buildRoutes(rewritten),
      apiRoot,
      newAjv(false),
      newAjv(true),
    );
  }

  /** Matches the request to an operation and validates it: 404 when none, 400 when invalid. */
  check(request: SpecRequest): SpecVerdict {
    const method = request.method.toLowerCase();
    const path = this.relativePath(request.path);
    const match = path === null ? undefined : matchRoute(this.routes, method, path);
    if (match === undefined) {
      return {
        ok: false,
        status: 404,
        reason: `no operation ${method.toUpperCase()} ${request.path} in the spec`,
      };
    }
    const { route, params } = match;
    const parameters: Json = {
      path: { ...params },
      query: { ...request.query },
      header: Object.fromEntries(Object.entries(request.headers).filter((e) => e[1] !== undefined)),
    };
    if (request.body !== undefined) parameters['requestBody'] = request.body;
    const errors: ErrorObject[] = [];
    for (const validate of this.validatorsFor(route)) {
      if (!validate(parameters)) errors.push(...(validate.errors ?? []));
    }
    if (errors.length > 0) {
      return {
        ok: false,
        status: 400,
        reason: `${route.operationId}: ${reasons(errors).join('; ')}`,
      };
    }
    return { ok: true, operationId: route.operationId, params };
  }

  /**
   * The reasons a JSON body is invalid for the operation at exactly this method and
   * document path (empty: valid), for servers that route by hand.
   */
  validateBody(method: string, path: string, body: unknown): string[] {
    const key = `${method.toLowerCase()} ${path}`;
    let validate = this.bodies.get(key);
    if (validate === undefined) {
      const operation = asJson(asJson(asJson(this.document['paths'])[path])[method.toLowerCase()]);
      const schema = bodySchema(this.resolve(operation['requestBody']));
      validate =
        schema === undefined ? null : this.bodyAjv.compile(withDocumentRefs(schema, DOCUMENT_ID));
      this.bodies.set(key, validate);
    }
    if (validate === null) return [`no JSON request body for ${method} ${path} in the spec`];
    return validate(body) ? [] : reasons(validate.errors ?? []);
  }

  private relativePath(path: string): string | null {
    if (this.apiRoot === '') return path;
    if (path !== this.apiRoot && !path.startsWith(`${this.apiRoot}/`)) return null;
    return path.slice(this.apiRoot.length) || '/';
  }

  /** The body validator (when the operation takes one) and the parameter validator. */
  private validatorsFor(route: Route): ValidateFunction[] {
    const cached = this.compiled.get(route);
    if (cached !== undefined) return cached;
    const validators: ValidateFunction[] = [];
    const requestBody = asJson(this.resolve(route.operation['requestBody']));
    const schema = bodySchema(requestBody);
    if (schema !== undefined) {
      validators.push(
        this.bodyAjv.compile({
          type: 'object',
          properties: { requestBody: withDocumentRefs(schema, DOCUMENT_ID) },
          required: requestBody['required'] === true ? ['requestBody'] : [],
        }),
      );
    }
    validators.push(this.paramAjv.compile(this.parameterSchema(route)));
    this.compiled.set(route, validators);
    return validators;
  }

  /** One object schema per location; unknown query parameters refused, unknown headers not. */
  private parameterSchema(route: Route): Json {
    const byLocation: Record<Parameter['in'], { properties: Json; required: string[] }> = {
      path: { properties: {}, required: [] },
      query: { properties: {}, required: [] },
      header: { properties: {}, required: [] },
      cookie: { properties: {}, required: [] },
    };
    const declared = [...route.pathParameters, ...asArray(route.operation['parameters'])];
    for (const raw of declared) {
      const parameter = this.resolve(raw) as Parameter;
      const target = byLocation[parameter.in];
      // Header names are case-insensitive; Node hands them over in lower case.
      const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
      target.properties[name] = withDocumentRefs(
        parameter.content?.['application/json']?.schema ?? parameter.schema ?? {},
        DOCUMENT_ID,
      );
      if (parameter.required === true && !target.required.includes(name)) {
        target.required.push(name);
      }
    }
    const location = (where: Parameter['in'], additionalProperties: boolean): Json => ({
      type: 'object',
      additionalProperties,
      ...byLocation[where],
    });
    return {
      type: 'object',
      properties: {
        path: location('path', false),
        query: location('query', false),
        header: location('header', true),
      },
    };
  }

  /** Follows a `#/components/...` reference of a parameter or request body. */
  private resolve(value: unknown): unknown {
    let current = value;
    for (let hops = 0; hops < 8; hops++) {
      const ref = asJson(current)['$ref'];
      if (typeof ref !== 'string' || !ref.startsWith('#/')) return current;
      current = ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, part) => asJson(node)[part], this.document);
    }
    return current;
  }
}

function buildRoutes(document: Json): Route[] {
  const routes: Route[] = [];
  for (const [template, rawItem] of Object.entries(asJson(document['paths']))) {
    const item = asJson(rawItem);
    const names: string[] = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const param = /^\{([^}]+)\}$/.exec(part);
        if (param === null) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(param[1] ?? '');
        return '([^/]+)';
      })
      .join('');
    for (const method of METHODS) {
      const operation = item[method];
      if (typeof operation !== 'object' || operation === null) continue;
      const json = operation as Json;
      const operationId = json['operationId'];
      routes.push({
        method,
        template,
        pattern: new RegExp(`^${source}$`),
        names,
        specificity: template.replace(/\{[^}]*\}/g, '').length,
        operationId: typeof operationId === 'string' ? operationId : `${method} ${template}`,
        operation: json,
        pathParameters: asArray(item['parameters']),
      });
    }
  }
  return routes;
}

/** An exact path first, then the most specific template (as openapi-backend matched). */
function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const exact = routes.find((r) => r.template === path && r.method === method);
  if (exact !== undefined) return { route: exact, params: {} };
  const candidates = routes
    .filter((r) => r.method === method && r.pattern.test(path))
    .sort((a, b) => b.specificity - a.specificity);
  const route = candidates[0];
  if (route === undefined) return undefined;
  const values = route.pattern.exec(path)?.slice(1) ?? [];
  const params: Record<string, string> = {};
  route.names.forEach((name, i) => {
    params[name] = decode(values[i] ?? '');
  });
  return { route, params };
}

function bodySchema(requestBody: unknown): unknown {
  const content = asJson(asJson(requestBody)['content']);
  for (const type of BODY_TYPES) {
    const schema = asJson(content[type])['schema'];
    if (schema !== undefined) return schema;
  }
  return undefined;
}

function reasons(errors: readonly ErrorObject[]): string[] {
  return [...new Set(errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`))];
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function asJson(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
