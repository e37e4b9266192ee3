// Over ~300 lines: a contract server (test support) answering SigNoz's service list, query_range and the
// MCP tools from one set of fixtures; its routes share that state.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { OpenApiValidator } from '../../testing/openapi.validator';
import { SIGNOZ_SPEC_PATH } from '../../testing/spec-paths';

/** A service as SigNoz's `/api/v1|v2/services` reports it (p99/avgDuration ns, errorRate %). */
export interface SignozServiceFixture {
  readonly serviceName: string;
  readonly p99: number;
  readonly avgDuration: number;
  readonly numCalls: number;
  readonly callRate: number;
  readonly numErrors: number;
  readonly errorRate: number;
  readonly num4XX: number;
  readonly fourXXRate: number;
}

/** A span the raw trace search can return. */
export interface SignozSpanFixture {
  readonly traceId: string;
  readonly spanId: string;
  readonly service: string;
  readonly name: string;
  /** Epoch ms. */
  readonly timestampMs: number;
  readonly durationNano: number;
  readonly hasError: boolean;
}

/** A log record the raw log search can return. */
export interface SignozLogFixture {
  readonly service: string;
  /** Epoch ms. */
  readonly timestampMs: number;
  readonly severityText: string;
  readonly body: string;
}

export interface RecordedSignozRequest {
  readonly method: string;
  readonly path: string;
  readonly apiKey: string | undefined;
  readonly body: unknown;
  /** Why the server refused it (null: answered 200). */
  readonly refused: string | null;
}

export interface SignozContractServerOptions {
  readonly apiKey: string;
  readonly specPath?: string;
}

/** Epoch ns have 19 digits from 2001-09-09 to 2286: a 13-digit ms value is the classic mistake. */
const EPOCH_NS_STRING = /^\d{19}$/;
/** Largest request body accepted: SigNoz's own requests are a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A SigNoz stand-in on 127.0.0.1 for the adapter's integration tests (SigNoz
 * is a SaaS/cluster that cannot run here). It checks what the real one
 * requires — the `SIGNOZ-API-KEY` header, `/api/v1|v2/services` bodies with
 * `start`/`end` as epoch-nanosecond strings, `/api/v5/query_range` bodies
 * valid against SigNoz's OpenAPI document — answers in SigNoz's documented
 * shapes and error envelopes, and records every request.
 */
export class SignozContractServer {
  readonly requests: RecordedSignozRequest[] = [];
  /** What `/services` reports (idle services are left out, as SigNoz does). */
  services: SignozServiceFixture[] = [];
  spans: SignozSpanFixture[] = [];
  logs: SignozLogFixture[] = [];
  private faults: { status: number; body: unknown }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly apiKey: string,
    private readonly validator: OpenApiValidator,
  ) {}

  static async start(options: SignozContractServerOptions): Promise<SignozContractServer> {
    const validator = await OpenApiValidator.load(options.specPath ?? SIGNOZ_SPEC_PATH);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const contract = new SignozContractServer(
      server,
      `http://127.0.0.1:${port}`,
      options.apiKey,
      validator,
    );
    server.on('request', (req, res) => {
      contract.handle(req, res).catch((error: unknown) => {
        respond(res, 500, signozError('internal', String(error)));
      });
    });
    return contract;
  }

  /** The next `count` requests (after the API key check) answer this instead. */
  failNext(status: number, body: unknown, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push({ status, body });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const method = req.method ?? 'GET';
    const header = req.headers['signoz-api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      body = text;
    }
    const answer = this.answer(method, path, apiKey, body);
    this.requests.push({
      method,
      path,
      apiKey,
      body,
      refused: answer.status === 200 ? null : JSON.stringify(answer.body),
    });
    respond(res, answer.status, answer.body);
  }

  private answer(
    method: string,
    path: string,
    apiKey: string | undefined,
    body: unknown,
  ): { status: number; body: unknown } {
    if (apiKey !== this.apiKey) {
      return {
        status: 401,
        body: signozError('unauthenticated', 'invalid or missing SIGNOZ-API-KEY'),
      };
    }
    const fault = this.faults.shift();
    if (fault !== undefined) return fault;
    if (method === 'POST' && (path === '/api/v1/services' || path === '/api/v2/services')) {
      const problem = checkServicesBody(body);
      if (problem !== null)
        return { status: 400, body: { status: 'error', errorType: 'bad_data', error: problem } };
      return {
        status: 200,
        body:
          path === '/api/v1/services' ? this.services : { status: 'success', data: this.services },
      };
    }
    if (method === 'POST' && path === '/api/v5/query_range') {
      const problems = this.validator.validateBody(method, path, body);
      if (problems.length > 0) {
        return {
          status: 400,
          body: signozError(
            'invalid_input',
            `request does not match the spec: ${problems.join('; ')}`,
          ),
        };
      }
      return this.queryRange(body as QueryRangeBody);
    }
    return { status: 404, body: signozError('not_found', `no route ${method} ${path}`) };
  }

  /** Raw trace and log searches only (what the adapter sends); anything else is refused here. */
  private queryRange(body: QueryRangeBody): { status: number; body: unknown } {
    const query = body.compositeQuery?.queries?.[0];
    const spec = query?.spec;
    if (
      body.requestType !== 'raw' ||
      query?.type !== 'builder_query' ||
      (spec?.signal !== 'traces' && spec?.signal !== 'logs')
    ) {
      return {
        status: 400,
        body: signozError(
          'unsupported',
          'contract server: raw builder queries on traces or logs only',
        ),
      };
    }
    if (spec.signal === 'logs') return this.logsRange(body, spec);
    const filter = parseFilter(spec.filter?.expression ?? '');
    if (typeof filter === 'string')
      return { status: 400, body: signozError('invalid_input', filter) };
    const start = body.start ?? 0;
    const end = body.end ?? Number.MAX_SAFE_INTEGER;
    const rows = this.spans
      .filter((s) => s.timestampMs >= start && s.timestampMs <= end && filter(s))
      .sort((a, b) => b.timestampMs - a.timestampMs)
      .slice(0, spec.limit ?? 100)
      .map((s) => ({
        timestamp: new Date(s.timestampMs).toISOString(),
        data: {
          timestamp: new Date(s.timestampMs).toISOString(),
          trace_id: s.traceId,
          span_id: s.spanId,
          name: s.name,
          duration_nano: s.durationNano,
          has_error: s.hasError,
          'service.name': s.service,
        },
      }));
    return rawAnswer(spec.name, rows, this.spans.length);
  }

  private logsRange(body: QueryRangeBody, spec: QuerySpec): { status: number; body: unknown } {
    const filter = parseLogFilter(spec.filter?.expression ?? '');
    if (typeof filter === 'string')
      return { status: 400, body: signozError('invalid_input', filter) };
    const start = body.start ?? 0;
    const end = body.end ?? Number.MAX_SAFE_INTEGER;
    const rows = this.logs
      .filter((l) => l.timestampMs >= start && l.timestampMs <= end && filter(l))
      .sort((a, b) => b.timestampMs - a.timestampMs)
      .slice(0, spec.limit ?? 100)
      .map((l) => ({
        timestamp: new Date(l.timestampMs).toISOString(),
        data: {
          timestamp: new Date(l.timestampMs).toISOString(),
          body: l.body,
          severity_text: l.severityText,
          'service.name': l.service,
        },
      }));
    return rawAnswer(spec.name, rows, this.logs.length);
  }
}

type QuerySpec = NonNullable<
  NonNullable<NonNullable<QueryRangeBody['compositeQuery']>['queries']>[number]['spec']
>;

interface QueryRangeBody {
  readonly start?: number;
  readonly end?: number;
  readonly requestType?: string;
  readonly compositeQuery?: {
    readonly queries?: {
      readonly type?: string;
      readonly spec?: {
        readonly name?: string;
        readonly signal?: string;
        readonly limit?: number;
        readonly filter?: { readonly expression?: string };
      };
    }[];
  };
}

/** The filter grammar subset the adapter uses: clauses joined by AND. */
function parseFilter(expression: string): ((span: SignozSpanFixture) => boolean) | string {
  const tests: ((span: SignozSpanFixture) => boolean)[] = [];
  for (const clause of expression.split(/\s+AND\s+/)) {
    const service = /^service\.name = '((?:[^'\\]|\\.)*)'$/.exec(clause);
    const error = /^has_error = (true|false)$/.exec(clause);
    const duration = /^duration_nano >= (\d+)$/.exec(clause);
    if (service !== null) {
      const name = (service[1] ?? '').replace(/\\(.)/g, '$1');
      tests.push((s) => s.service === name);
    } else if (error !== null) {
      tests.push((s) => s.hasError === (error[1] === 'true'));
    } else if (duration !== null) {
      const min = Number(duration[1]);
      tests.push((s) => s.durationNano >= min);
    } else {
      return `contract server: unsupported filter clause ${JSON.stringify(clause)}`;
    }
  }
  return (span) => tests.every((t) => t(span));
}

/** SigNoz's answer to a raw query: one result holding the rows. */
function rawAnswer(
  queryName: string | undefined,
  rows: unknown[],
  scanned: number,
): { status: number; body: unknown } {
  return {
    status: 200,
    body: {
      status: 'success',
      data: {
        type: 'raw',
        data: { results: [{ queryName: queryName ?? 'A', nextCursor: '', rows }] },
        meta: { rowsScanned: scanned, bytesScanned: 0, durationMs: 1 },
      },
    },
  };
}

/** The log filter subset the adapter uses: `service.name = '…' AND severity_text IN ('…', …)`. */
function parseLogFilter(expression: string): ((log: SignozLogFixture) => boolean) | string {
  const tests: ((log: SignozLogFixture) => boolean)[] = [];
  for (const clause of expression.split(/\s+AND\s+/)) {
    const service = /^service\.name = '((?:[^'\\]|\\.)*)'$/.exec(clause);
    const severity = /^severity_text IN \(((?:'[^']*'(?:, )?)+)\)$/.exec(clause);
    if (service !== null) {
      const name = (service[1] ?? '').replace(/\\(.)/g, '$1');
      tests.push((l) => l.service === name);
    } else if (severity !== null) {
      const wanted = [...(severity[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]);
      tests.push((l) => wanted.includes(l.severityText));
    } else {
      return `contract server: unsupported log filter clause ${JSON.stringify(clause)}`;
    }
  }
  return (log) => tests.every((t) => t(log));
}

function checkServicesBody(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'body must be a JSON object';
  const { start, end, tags } = body as Record<string, unknown>;
  for (const [name, value] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (typeof value !== 'string')
      return `${name} must be epoch nanoseconds as a string, got ${typeof value}`;
    if (!EPOCH_NS_STRING.test(value))
      return `${name} must be epoch nanoseconds (19 digits), got "${value}"`;
  }
  if (BigInt(start as string) >= BigInt(end as string)) return 'start must be before end';
  if (!Array.isArray(tags)) return 'tags must be an array';
  return null;
}

/** SigNoz's render error envelope (RenderErrorResponse in the spec). */
function signozError(code: string, message: string): unknown {
  return { status: 'error', error: { type: code, code, message, errors: [], suggestions: [] } };
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
