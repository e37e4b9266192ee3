import { userInfo } from 'node:os';
import { errorMessage } from '@opscrew/contracts';
import { ACKER_PATTERN } from '@opscrew/guardrails';
import { type ChatResponse } from '../../../atlas/src';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface ChatOptions extends ConfigCommandOptions {
  /** atlas's base URL (default: http.host and agents.atlas.port of the config). */
  readonly url?: string;
  /** Who asks (default: the OS user name). */
  readonly by?: string;
}

/** What the command takes from the machine it runs on; tests replace it. */
export interface ChatEnvironment {
  readonly userName: () => string;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
}

const defaultEnvironment: ChatEnvironment = {
  userName: () => userInfo().username,
  fetch: (url, init) => fetch(url, init),
};

/**
 * A command's whole run in atlas, restarts included (a restart waits for the service to
 * come back): a minute, then the CLI gives up waiting (atlas still finishes and audits it).
 */
const CHAT_TIMEOUT_MS = 60_000;

/** Addresses that mean "every interface" when listening, and this host when calling. */
const ANY_HOST = new Set(['0.0.0.0', '::', '[::]']);

/**
 * `opscrew chat "/status cart"`: the Discord commands for teams without Discord. Sends the
 * text to atlas's `POST /chat` (bearer http.api_token), prints the answer; exit 0 when the
 * command was answered, 1 when it was refused or failed (or atlas is unreachable), 2 for a
 * command text atlas cannot parse or a bad `--by`.
 */
export async function chat(
  text: string,
  options: ChatOptions,
  io: CliIo,
  env: ChatEnvironment = defaultEnvironment,
): Promise<number> {
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { config } = loaded.loaded;
  const token = config.http.api_token;
  if (token === undefined) {
    io.err(
      "opscrew chat: the config has no http.api_token, so atlas's POST /chat refuses every call " +
        "(add http: { api_token: '${OPSCREW_API_TOKEN}' } and the token to .env)",
    );
    return EXIT_INVALID;
  }
  const by = asker(options.by, env);
  if ('problem' in by) {
    io.err(`opscrew chat: ${by.problem}`);
    return EXIT_INVALID;
  }
  const base = (
    options.url ?? atlasUrl(config.http.host, config.agents.get('atlas')?.port)
  ).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await env.fetch(`${base}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ command: text, by: by.name }),
      signal: AbortSignal.timeout(CHAT_TIMEOUT_MS),
    });
  } catch (error: unknown) {
    io.err(
      `opscrew chat: cannot reach atlas at ${base} (${errorMessage(error)}); is it running? (opscrew start atlas, or --url)`,
    );
    return EXIT_FAILURE;
  }
  const body = await response.json().catch(() => undefined);
  if (response.status !== 200) {
    io.err(`opscrew chat: atlas answered ${response.status}: ${problemOf(body)}`);
    return response.status === 400 ? EXIT_INVALID : EXIT_FAILURE;
  }
  const answer = body as Partial<ChatResponse> | undefined;
  if (typeof answer?.text !== 'string' || typeof answer.outcome !== 'string') {
    io.err('opscrew chat: atlas answered without {outcome, text}');
    return EXIT_FAILURE;
  }
  if (answer.outcome === 'answered') {
    io.out(answer.text);
    return EXIT_OK;
  }
  io.err(answer.text);
  return EXIT_FAILURE;
}

function atlasUrl(host: string, port: number | undefined): string {
  const target = ANY_HOST.has(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${target}:${port ?? 3000}`;
}

function asker(
  given: string | undefined,
  env: ChatEnvironment,
): { name: string } | { problem: string } {
  if (given !== undefined)
    return ACKER_PATTERN.test(given)
      ? { name: given }
      : {
          problem: `--by: "${given}" must be a short name (letters, digits, ".", "_", "-"; at most 64)`,
        };
  try {
    const name = env.userName();
    return { name: ACKER_PATTERN.test(name) ? name : 'cli' };
  } catch {
    return { name: 'cli' };
  }
}

/** Nest's error body `{message}` (a string or a list), else what there is. */
function problemOf(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.map(String).join('; ');
  }
  return 'no details';
}
