import { seededRandom } from './seeded-random';

/**
 * Fake secrets with the shapes of real ones, synthesised from a seeded
 * generator (never real credentials, and not literal in the source, so secret
 * scanners stay quiet), and ordinary text that must come out unchanged.
 */

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64URL = `${BASE62}-_`;
const HEX = '0123456789abcdef';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `length` characters of `alphabet`, deterministic per seed. */
export function fakeToken(alphabet: string, length: number, seed: number): string {
  const next = seededRandom(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)] ?? 'x';
  return out;
}

const b64url = (text: string): string => Buffer.from(text).toString('base64url');
const join = (...parts: string[]): string => parts.join('');

/** One secret shape: the text around it, and the secret that must not survive. */
export interface SecretShape {
  readonly name: string;
  /** A line as it would reach a log, an audit record or a ticket. */
  readonly line: string;
  /** The secret part; the scrubbed line must not contain it (nor its first 8 characters, for tokens). */
  readonly secret: string;
}

const jwt = join(
  b64url('{"alg":"HS256","typ":"JWT"}'),
  '.',
  b64url('{"sub":"1234567890","name":"Fake","iat":1516239022}'),
  '.',
  fakeToken(BASE64URL, 43, 11),
);
const discordBot = join(
  b64url('112233445566778899'),
  '.',
  fakeToken(BASE64URL, 6, 12),
  '.',
  fakeToken(BASE64URL, 38, 13),
);
const pemBody = Array.from({ length: 6 }, (_v, i) => fakeToken(`${BASE62}+/`, 64, 20 + i)).join(
  '\n',
);
const pem = join(
  '-----BEGIN RSA PRIVATE ',
  'KEY-----\n',
  pemBody,
  '\n-----END RSA PRIVATE ',
  'KEY-----',
);

export const SECRET_SHAPES: readonly SecretShape[] = [
  shape(
    'anthropic',
    (s) => `calling model with key ${s} failed`,
    join('sk-', 'ant-api03-', fakeToken(BASE64URL, 93, 1), 'AA'),
  ),
  shape('openai', (s) => `OPENAI_KEY=${s}`, join('sk-', 'proj-', fakeToken(BASE64URL, 48, 2))),
  shape('openai legacy', (s) => `using ${s} for embeddings`, join('sk-', fakeToken(BASE62, 48, 3))),
  shape(
    'atlassian',
    (s) => `jira said 401 for ${s}`,
    join('ATATT', '3xFfGF0', fakeToken(BASE64URL, 180, 4), '=A1B2C3D4'),
  ),
  shape('discord bot', (s) => `login with ${s} rejected`, discordBot),
  shape(
    'discord webhook',
    (s) => `POST https://discord.com/api/webhooks/123456789012345678/${s} timed out`,
    fakeToken(BASE64URL, 68, 5),
  ),
  shape(
    'slack bot',
    (s) => `slack token ${s}`,
    join('xox', 'b-', '123456789012-', fakeToken(BASE62, 24, 6)),
  ),
  shape(
    'github classic',
    (s) => `git clone failed for ${s}`,
    join('gh', 'p_', fakeToken(BASE62, 36, 7)),
  ),
  shape('github oauth', (s) => `token ${s} expired`, join('gh', 'o_', fakeToken(BASE62, 36, 8))),
  shape(
    'github fine-grained',
    (s) => `pat ${s}`,
    join('github_', 'pat_', fakeToken(BASE62, 22, 9), '_', fakeToken(BASE62, 59, 10)),
  ),
  shape('gitlab', (s) => `runner uses ${s}`, join('gl', 'pat-', fakeToken(BASE64URL, 20, 14))),
  shape(
    'aws key id',
    (s) => `aws credentials ${s} denied`,
    join('AK', 'IA', fakeToken(UPPER_DIGITS, 16, 15)),
  ),
  shape('aws sts key id', (s) => `assumed ${s}`, join('AS', 'IA', fakeToken(UPPER_DIGITS, 16, 16))),
  shape(
    'aws secret access key',
    (s) => `aws_secret_access_key = ${s}`,
    fakeToken(`${BASE62}+/`, 40, 17),
  ),
  shape('google', (s) => `maps key ${s}`, join('AI', 'za', fakeToken(BASE64URL, 35, 18))),
  shape('stripe', (s) => `charge with ${s}`, join('sk', '_live_', fakeToken(BASE62, 24, 19))),
  shape('jwt', (s) => `session ${s} invalid`, jwt),
  shape('pem', (s) => `key material:\n${s}\nend`, pem),
  shape(
    'npm',
    (s) => `//registry.npmjs.org/:_authToken=${s}`,
    join('np', 'm_', fakeToken(BASE62, 36, 21)),
  ),
  shape('bearer header', (s) => `Authorization: Bearer ${s}`, fakeToken(BASE64URL, 40, 22)),
  shape('bearer hex', (s) => `curl -H "Authorization: Bearer ${s}"`, fakeToken(HEX, 48, 23)),
  shape(
    'basic header',
    (s) => `authorization: Basic ${s}`,
    Buffer.from(`ops@example.test:${fakeToken(BASE62, 20, 24)}`).toString('base64'),
  ),
  shape(
    'url credentials',
    (s) => `connect nats://atlas:${s}@nats:4222 refused`,
    fakeToken(BASE62, 40, 25),
  ),
  shape(
    'url credentials http',
    (s) => `GET https://deploy:${s}@git.example.test/repo.git`,
    fakeToken(BASE62, 16, 26),
  ),
  shape('query api_key', (s) => `GET /v1/query?api_key=${s}&q=up`, fakeToken(BASE62, 32, 27)),
  shape(
    'query sig',
    (s) => `GET https://bucket.example.test/o?X-Amz-Date=1&X-Amz-Signature=${s}`,
    fakeToken(HEX, 64, 28),
  ),
  shape(
    'query access_token',
    (s) => `redirect /cb#x?access_token=${s}`,
    fakeToken(BASE64URL, 30, 29),
  ),
  shape('password=', (s) => `db connect password=${s} host=db`, ['hunter', '2'].join('').repeat(2)),
  shape('password: quoted', (s) => `password: "${s}"`, 'correct horse battery staple'),
  shape('json password', (s) => `{"user":"ops","password":"${s}","port":5432}`, 'p4ssw0rd!xyz'),
  shape('json escaped', (s) => `{"msg":"config {\\"passphrase\\":\\"${s}\\"}"}`, 'open sesame 42'),
  shape('yaml api-key', (s) => `x-api-key: ${s}`, fakeToken(BASE62, 24, 30)),
  shape('env token', (s) => `DISCORD_BOT_TOKEN=${s}`, fakeToken(BASE62, 30, 31)),
  shape('client_secret', (s) => `client_secret='${s}'`, fakeToken(BASE62, 28, 32)),
  shape('private_key', (s) => `private_key=${s}`, fakeToken(BASE62, 44, 33)),
  shape('high entropy after key', (s) => `rotated api key ${s} today`, fakeToken(BASE62, 32, 34)),
  shape('high entropy after secret', (s) => `the secret is ${s}`, fakeToken(BASE62, 28, 35)),
];

function shape(name: string, line: (secret: string) => string, secret: string): SecretShape {
  return { name, line: line(secret), secret };
}

/** Ordinary lines an on-call reads: none of them may change. */
export const ORDINARY_LINES: readonly string[] = [
  'GET /health 200 2ms',
  'incident INC-20260101-001-0001 opened for cart: error_rate_ratio 0.12 > 0.05',
  'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
  'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'request 3f2a9c1e-7b4d-4e8a-9f0c-1d2e3f4a5b6c finished in 12 ms',
  'commit 6fc156a1b2c3d4e5f60718293a4b5c6d7e8f9012 deployed',
  'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'idempotency key: INC-20260101-001-0001:notify:1',
  'idempotency key 3f2a9c1e-7b4d-4e8a-9f0c-1d2e3f4a5b6c reused',
  'metric http_server_request_duration_seconds_bucket{le="0.5"} 1234',
  'checkout_latency_p99_seconds rose to 2.4 s',
  'llm ops-monitor/triage INC-20260101-001: end_turn after 2 turn(s), 1834 tokens, $0.0123',
  'input_tokens=1500 output_tokens=230 max_tokens_per_call=4096',
  'token_budget exceeded for INC-20260101-001',
  'author: alice',
  'Bearer authentication required',
  'Basic information about the service',
  'password reset flow is healthy',
  'secret: true',
  'token: missing',
  'auth: ok',
  'api_key: ${ANTHROPIC_API_KEY}',
  'https://discord.com/channels/123456789012345678/987654321098765432',
  'https://acme.atlassian.net/browse/OPS-42',
  'http://127.0.0.1:4222 connected',
  'nats://nats:4222 reconnected',
  'http://user@host.example.test/path',
  'GET /v1/query?q=up&step=15s',
  'opscrew.incident.detected.cart delivered to ops-monitor',
  'ops-monitor.events.remediation-requested delivered',
  'container docker.io/library/valkey:8.0 restarted',
  'sk-learn model loaded',
  'disk /dev/sda1 at 91%',
  'key: cart.error_rate',
  'Error: connect ECONNREFUSED 127.0.0.1:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
  '{"level":30,"time":"2026-01-01T03:00:00.000Z","agent":"atlas","msg":"listening"}',
  'runbook restart_service for cart: allowed by policy cart-restart',
  'AKIA is an AWS prefix',
  'eyJ is how base64 JSON starts',
  'base64 payload aGVsbG8gd29ybGQ=',
  '-----BEGIN CERTIFICATE-----',
  'kubernetes.io/service-account.name: default',
  'x-request-id: 9b2f6c1d4e8a4b7c',
  'the shop refused the token: OPSCREW_SHOP_TOKEN must be the one it was started with',
  'file.json5: jira.api_token: Missing env var JIRA_API_TOKEN',
  'bearer token: integrations.runtime.process.token',
];
