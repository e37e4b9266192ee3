import { configuredSecretValues } from './configured-secrets';
import { type SourcedNode } from './load/sourced-node';
import { redact } from './redact';

/** Built at run time: no secret-shaped literal in the source. */
const INLINE_PASSWORD = ['inl1ne', 'Pass'].join('');
const GITHUB_TOKEN = ['ghp', '0123456789abcdefghijABCDEFGHIJ012345'].join('_');

const origin = { file: '/config/opscrew.json5', path: [] };
const scalar = (value: string | number | null, fromEnv = false): SourcedNode => ({
  kind: 'scalar',
  origin,
  value,
  ...(fromEnv ? { fromEnv } : {}),
});
const object = (entries: Record<string, SourcedNode>): SourcedNode => ({
  kind: 'object',
  origin,
  entries: new Map(Object.entries(entries)),
});

const tree = object({
  bus: object({
    servers: { kind: 'array', origin, items: [scalar(`nats://cli:${INLINE_PASSWORD}@nats:4222`)] },
  }),
  metrics: object({
    url: scalar('https://metrics.example.test/api?api_key=Q1w2E3r4T5y6U7i8&q=up'),
  }),
  vault: object({
    passphrase: scalar('open sesame 42'),
    aws_secret_access_key: scalar('wJalrFAKEfakeFAKEfakeEXAMPLEKEY0123456789'),
    note: scalar(`rotated to ${GITHUB_TOKEN} yesterday`),
    api_token: scalar('from-env-token', true),
    port: scalar(5432),
  }),
});

describe('redact (config print)', () => {
  const printed = JSON.stringify(redact(tree));

  it('masks secret keys (passphrase, aws_secret_access_key too) and ${VAR} values', () => {
    expect(redact(tree)).toMatchObject({
      vault: { passphrase: '***', aws_secret_access_key: '***', api_token: '***', port: 5432 },
    });
  });

  it('scrubs secrets inside other values: URL credentials, secret query parameters, token shapes', () => {
    expect(redact(tree)).toMatchObject({
      bus: { servers: ['nats://cli:[REDACTED:url-password]@nats:4222'] },
      metrics: { url: 'https://metrics.example.test/api?api_key=[REDACTED:query]&q=up' },
      vault: { note: 'rotated to [REDACTED:github] yesterday' },
    });
    for (const secret of [
      INLINE_PASSWORD,
      'Q1w2E3r4T5y6U7i8',
      'ghp_0123456789',
      'open sesame',
      'wJalr',
    ])
      expect(printed).not.toContain(secret);
  });
});

describe('configuredSecretValues', () => {
  it('takes secret-named keys of the tree and secret-named variables, not public keys or URLs', () => {
    const values = configuredSecretValues(tree, {
      JIRA_API_TOKEN: 'jira-token-value',
      NATS_PASSWORD_ATLAS: 'pAbc0123456789',
      DISCORD_PUBLIC_KEY: 'ed25519-public',
      NATS_URL: 'nats://127.0.0.1:4222',
      EMPTY_TOKEN: '',
    });
    expect(values).toEqual(
      expect.arrayContaining([
        'open sesame 42',
        'wJalrFAKEfakeFAKEfakeEXAMPLEKEY0123456789',
        'from-env-token',
        'jira-token-value',
        'pAbc0123456789',
      ]),
    );
    expect(values).not.toContain('ed25519-public');
    expect(values).not.toContain('nats://127.0.0.1:4222');
    expect(values).not.toContain('');
  });
});
