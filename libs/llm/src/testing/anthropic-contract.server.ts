import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { checkMessagesRequest } from './messages-request.validator';

/** A content block the scripted model answers with. */
export type ScriptedBlock =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool_use';
      readonly name: string;
      readonly input: Record<string, unknown>;
      readonly id?: string;
    };

/** One scripted answer: a message, or an API error (429, 529 overloaded, 500…). */
export type ScriptedTurn =
  | {
      readonly kind: 'message';
      readonly content: readonly ScriptedBlock[];
      /** Defaults to tool_use when a tool_use block is present, else end_turn. */
      readonly stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal';
      readonly usage?: { readonly input_tokens: number; readonly output_tokens: number };
    }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly type?: string;
      readonly message?: string;
      /** Seconds, as the API sends it (fractions allowed, the SDK parses a float). */
      readonly retry_after_s?: number;
    };

/** A scripted turn, or a function of the request (to answer with what the request holds). */
export type TurnScript = ScriptedTurn | ((request: MessagesRequestRecord) => ScriptedTurn);

export interface MessagesRequestRecord {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: {
    readonly model: string;
    readonly max_tokens: number;
    readonly system?: string;
    readonly messages: readonly { role: string; content: unknown }[];
    readonly tools?: readonly { name: string; description?: string; input_schema: unknown }[];
  };
  /** The status answered. */
  status: number;
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/**
 * A local stand-in for `POST /v1/messages`, for the real SDK (point its
 * baseURL here): validates requests as the API does (see
 * checkMessagesRequest), answers from a queue of scripted turns, and scripts
 * 429/529 errors with `retry-after`. Every request is recorded.
 */
export class AnthropicContractServer {
  readonly requests: MessagesRequestRecord[] = [];
  private readonly script: TurnScript[] = [];
  private server: Server | null = null;
  private port = 0;
  private ids = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queue answers, in order. */
  enqueue(...turns: TurnScript[]): this {
    this.script.push(...turns);
    return this;
  }

  /** Scripted turns not consumed yet (a test that leaves some proved less than it claims). */
  get pending(): number {
    return this.script.length;
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.serve(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      return send(
        res,
        404,
        errorBody('not_found_error', `${req.method ?? '?'} ${url.pathname}: not found`),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      return send(
        res,
        400,
        errorBody('invalid_request_error', 'There was an error parsing the body of your request'),
      );
    }
    const record: MessagesRequestRecord = {
      headers: { ...req.headers },
      body: body as MessagesRequestRecord['body'],
      status: 0,
    };
    this.requests.push(record);
    const problem = checkMessagesRequest(req.headers, body);
    if (problem) {
      record.status = problem.status;
      return send(res, problem.status, errorBody(problem.type, problem.message));
    }
    const next = this.script.shift();
    if (next === undefined) {
      record.status = 500;
      // x-should-retry false: an empty script is a test bug, not a transient error to retry.
      return send(res, 500, errorBody('api_error', 'contract server: no scripted turn left'), {
        'x-should-retry': 'false',
      });
    }
    const turn = typeof next === 'function' ? next(record) : next;
    if (turn.kind === 'error') {
      record.status = turn.status;
      const headers: Record<string, string> = {};
      if (turn.retry_after_s !== undefined) headers['retry-after'] = String(turn.retry_after_s);
      const type = turn.type ?? ERROR_TYPES[turn.status] ?? 'api_error';
      return send(
        res,
        turn.status,
        errorBody(type, turn.message ?? type.replace(/_/g, ' ')),
        headers,
      );
    }
    const content = turn.content.map((block) =>
      block.type === 'text'
        ? { type: 'text', text: block.text }
        : {
            type: 'tool_use',
            id: block.id ?? `toolu_${String(++this.ids).padStart(6, '0')}`,
            name: block.name,
            input: block.input,
          },
    );
    const stop =
      turn.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    const usage = turn.usage ?? {
      // About four characters a token: close enough for budgets to move realistically.
      input_tokens: Math.ceil(raw.length / 4),
      output_tokens: Math.max(1, Math.ceil(JSON.stringify(content).length / 4)),
    };
    record.status = 200;
    send(res, 200, {
      id: `msg_${String(++this.ids).padStart(6, '0')}`,
      type: 'message',
      role: 'assistant',
      model: record.body.model,
      content,
      stop_reason: stop,
      stop_sequence: null,
      usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  }
}

function errorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message }, request_id: `req_contract_${Date.now()}` };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': 'req_contract',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
