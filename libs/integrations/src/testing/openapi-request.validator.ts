import { Worker } from 'node:worker_threads';

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

/**
 * The validation runs in a worker thread with openapi-backend loaded by plain
 * Node: openapi-backend depends on an ESM-only package
 * (@apidevtools/json-schema-ref-parser) that Node ≥ 20.19 loads through
 * require(esm) but Jest's module registry cannot (before Node 24.9).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { OpenAPIBackend } = require(workerData.openapiBackend);
const addFormats = require(workerData.ajvFormats);
const apis = new Map();
function load(specPath, apiRoot) {
  const key = specPath + '|' + apiRoot;
  let pending = apis.get(key);
  if (!pending) {
    const api = new OpenAPIBackend({
      definition: JSON.parse(fs.readFileSync(specPath, 'utf8')),
      apiRoot,
      quick: true,
      validate: true,
      strict: false,
      ajvOpts: { logger: false, strict: false },
      customizeAjv: (ajv) => {
        addFormats(ajv);
        ajv.addFormat('snowflake', /^(0|[1-9][0-9]*)$/);
        ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) });
        ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
        return ajv;
      },
    });
    pending = api.init().then(() => api);
    apis.set(key, pending);
  }
  return pending;
}
parentPort.on('message', async (msg) => {
  try {
    const api = await load(msg.specPath, msg.apiRoot);
    if (msg.request === null) return parentPort.postMessage({ id: msg.id, verdict: null });
    const req = msg.request;
    const operation = api.matchOperation(req);
    if (!operation) {
      return parentPort.postMessage({ id: msg.id, verdict: { ok: false, status: 404, reason: 'no operation ' + req.method.toUpperCase() + ' ' + req.path + ' in the spec' } });
    }
    const operationId = operation.operationId || operation.method + ' ' + operation.path;
    const result = api.validateRequest(req, operation);
    if (!result.valid) {
      const reasons = [...new Set((result.errors || []).map((e) => (e.instancePath || '/') + ' ' + (e.message || 'is invalid')))];
      return parentPort.postMessage({ id: msg.id, verdict: { ok: false, status: 400, reason: operationId + ': ' + reasons.join('; ') } });
    }
    const params = api.router.parseRequest(req, operation).params;
    parentPort.postMessage({ id: msg.id, verdict: { ok: true, operationId, params } });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: String((err && err.stack) || err) });
  }
});
`;

type WorkerReply = { id: number; verdict?: SpecVerdict | null; error?: string };

/** One worker per process, shared by every contract server; ended when the last one stops. */
class ValidationWorker {
  private worker: Worker | null = null;
  private users = 0;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (v: SpecVerdict | null) => void; reject: (e: Error) => void }
  >();

  acquire(): void {
    this.users += 1;
    if (this.worker !== null) return;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        openapiBackend: require.resolve('openapi-backend'),
        ajvFormats: require.resolve('ajv-formats'),
      },
    });
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.error !== undefined)
        waiter.reject(new Error(`openapi validation worker: ${reply.error}`));
      else waiter.resolve(reply.verdict ?? null);
    });
    worker.on('error', (err) => {
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    });
    this.worker = worker;
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0 || this.worker === null) return;
    const worker = this.worker;
    this.worker = null;
    await worker.terminate();
  }

  ask(specPath: string, apiRoot: string, request: SpecRequest | null): Promise<SpecVerdict | null> {
    const worker = this.worker;
    if (worker === null) return Promise.reject(new Error('openapi validation worker not started'));
    this.nextId += 1;
    const id = this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({
        id,
        specPath,
        apiRoot,
        request:
          request === null
            ? null
            : {
                method: request.method.toLowerCase(),
                path: request.path,
                query: { ...request.query },
                headers: Object.fromEntries(
                  Object.entries(request.headers).filter(
                    (e): e is [string, string | string[]] => e[1] !== undefined,
                  ),
                ),
                body: request.body,
              },
      });
    });
  }
}

const shared = new ValidationWorker();

/**
 * Validates requests against a vendor's published OpenAPI document (path,
 * method, path/query parameters, JSON body schema) with openapi-backend, so
 * the contract servers refuse exactly what the vendor's schema refuses and we
 * write no validator by hand for what the spec covers.
 */
export class OpenApiRequestValidator {
  private closed = false;

  private constructor(
    private readonly specPath: string,
    private readonly apiRoot: string,
  ) {}

  /** Starts (or joins) the validation worker and loads the document. */
  static async load(specPath: string, apiRoot = '/'): Promise<OpenApiRequestValidator> {
    shared.acquire();
    const validator = new OpenApiRequestValidator(specPath, apiRoot);
    try {
      await shared.ask(specPath, apiRoot, null);
    } catch (err: unknown) {
      await validator.close();
      throw err;
    }
    return validator;
  }

  async check(request: SpecRequest): Promise<SpecVerdict> {
    const verdict = await shared.ask(this.specPath, this.apiRoot, request);
    if (verdict === null) throw new Error('openapi validation worker returned no verdict');
    return verdict;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await shared.release();
  }
}
