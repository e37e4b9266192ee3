import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { errorMessage } from '@opscrew/contracts';
import { type FaultAction, FaultScript } from './fault-script';
import { type OpenApiValidator, type SpecRequest } from './openapi.validator';

/** What a contract server saw and answered, for exact-request assertions. */
export interface RecordedRequest {
  /** Arrival order (1-based). */
  readonly seq: number;
  /** Arrival time, epoch ms. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** The spec operation it matched, when it did. */
  operationId?: string;
  /** The status answered (0 while pending or when the connection was dropped). */
  status: number;
  /** The fault applied, if any. */
  fault?: FaultAction['kind'];
}

export interface ContractResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Vendors cap bodies well below this; 2 MiB only stops a runaway test. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The shared machinery of the Jira and Discord contract servers: node:http on
 * 127.0.0.1 with a random port, every request recorded, validated against the
 * vendor's OpenAPI document, scripted faults, then the vendor behaviour.
 */
export abstract class ContractHttpServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults = new FaultScript();
  private server: Server | null = null;
  private validator: OpenApiValidator | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  protected port = 0;

  /** http://127.0.0.1:<port> once started. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.validator = await this.loadValidator();
    // Validators compile lazily (first use of the Discord schema takes ~0.4 s): pay that
    // now, not inside a client's timeout.
    for (const request of this.warmupRequests()) this.validator.check(request);
    const server = createServer((req, res) => {
      void this.serve(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.validator = null;
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets recorded requests, scripted faults and (in subclasses) vendor state. */
  reset(): void {
    this.requests.length = 0;
    this.faults.clear();
  }

  /** Requests matching an operation id (in arrival order). */
  requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  protected abstract loadValidator(): Promise<OpenApiValidator>;
  /** A rejection when the request is not authenticated, else null. Runs before validation. */
  protected abstract authenticate(req: IncomingMessage, path: string): ContractResponse | null;
  /** The vendor's error for a request its spec refuses (400) or does not know (404). */
  protected abstract specError(status: 400 | 404, reason: string): ContractResponse;
  /** The vendor's error for a body that is not JSON. */
  protected abstract malformedBody(reason: string): ContractResponse;
  /** The vendor behaviour for a valid request. */
  protected abstract handle(
    operationId: string,
    params: Record<string, string>,
    request: SpecRequest,
  ): ContractResponse;
  /** Representative requests validated once at start, so their schemas are compiled. */
  protected warmupRequests(): SpecRequest[] {
    return [];
  }

  /** Headers every response carries (rate-limit headers). */
  protected commonHeaders(): Record<string, string> {
    return {};
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', this.origin);
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => {
      query[key] = value;
    });
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    let body: unknown;
    let badJson: string | null = null;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw) as unknown;
      } catch (err: unknown) {
        badJson = errorMessage(err);
      }
    }
    const record: RecordedRequest = {
      seq: this.requests.length + 1,
      at,
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: { ...req.headers },
      body,
      status: 0,
    };
    this.requests.push(record);
    const reply = (response: ContractResponse): void => {
      record.status = response.status;
      send(res, response, this.commonHeaders());
    };
    const denied = this.authenticate(req, url.pathname);
    if (denied !== null) return reply(denied);
    if (badJson !== null) return reply(this.malformedBody(badJson));
    const specRequest: SpecRequest = {
      method: record.method,
      path: url.pathname,
      query,
      headers: req.headers,
      body,
    };
    if (this.validator === null) return reply({ status: 503, body: { message: 'not started' } });
    const verdict = this.validator.check(specRequest);
    if (!verdict.ok) return reply(this.specError(verdict.status, verdict.reason));
    record.operationId = verdict.operationId;
    const process = (): ContractResponse =>
      this.handle(verdict.operationId, verdict.params, specRequest);
    const fault = this.faults.take(verdict.operationId, record.method, url.pathname, at);
    if (fault !== undefined) record.fault = fault.kind;
    switch (fault?.kind) {
      case undefined:
        return reply(process());
      case 'respond':
        return reply({
          status: fault.status,
          ...(fault.headers === undefined ? {} : { headers: fault.headers }),
          ...(fault.body === undefined ? {} : { body: fault.body }),
        });
      case 'hang':
        this.later(fault.ms, () => res.destroy());
        return;
      case 'timeout-after-success': {
        const response = process();
        this.later(fault.ms, () => reply(response));
        return;
      }
      case 'delay':
        this.later(fault.ms, () => reply(process()));
        return;
    }
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  response: ContractResponse,
  common: Record<string, string>,
): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...common, ...response.headers };
  let payload = '';
  if (response.body !== undefined && response.status !== 204) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = 'application/json;charset=UTF-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}
