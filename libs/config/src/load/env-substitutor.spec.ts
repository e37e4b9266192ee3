import { formatIssue } from './config-issue';
import { substituteEnv } from './env-substitutor';
import { type SourcedNode, toPlain } from './sourced-node';

/** A tree as if parsed from `config/file.json5`. */
function tree(value: unknown, path: (string | number)[] = []): SourcedNode {
  const origin = { file: '/cfg/file.json5', path };
  if (Array.isArray(value))
    return { kind: 'array', origin, items: value.map((v, i) => tree(v, [...path, i])) };
  if (value !== null && typeof value === 'object') {
    return {
      kind: 'object',
      origin,
      entries: new Map(Object.entries(value).map(([k, v]) => [k, tree(v, [...path, k])])),
    };
  }
  return { kind: 'scalar', origin, value: value as string };
}

const run = (value: unknown, env: Record<string, string | undefined>) => {
  const result = substituteEnv(tree(value), env, (file) => file.replace('/cfg/', ''));
  return {
    value: toPlain(result.node),
    errors: result.issues.map(formatIssue),
    warnings: result.warnings.map(formatIssue),
    node: result.node,
  };
};

describe('substituteEnv (${VAR})', () => {
  it('substitutes several references in one string', () => {
    expect(
      run({ url: 'https://${HOST}:${PORT}/api' }, { HOST: 'jira.example', PORT: '443' }).value,
    ).toEqual({
      url: 'https://jira.example:443/api',
    });
  });

  it('keeps $${VAR} as a literal ${VAR}', () => {
    expect(run({ s: 'cost $${AMOUNT} and ${A}' }, { A: 'x', AMOUNT: 'never' }).value).toEqual({
      s: 'cost ${AMOUNT} and x',
    });
  });

  it('leaves ${lower}, $VAR and non-strings alone', () => {
    expect(
      run({ a: '${lower}', b: '$VAR', c: 5, d: true, e: null }, { VAR: 'x', lower: 'x' }).value,
    ).toEqual({
      a: '${lower}',
      b: '$VAR',
      c: 5,
      d: true,
      e: null,
    });
  });

  it('never substitutes in keys', () => {
    expect(run({ '${KEY}': 'v' }, { KEY: 'x' }).value).toEqual({ '${KEY}': 'v' });
  });

  it('reports a missing variable with its name and config path, in the file it was written in', () => {
    expect(
      run({ jira: { api_token: '${JIRA_API_TOKEN}' }, list: ['${OTHER}'] }, {}).errors,
    ).toEqual([
      'file.json5: jira.api_token: Missing env var "JIRA_API_TOKEN" referenced at config path: jira.api_token',
      'file.json5: list[0]: Missing env var "OTHER" referenced at config path: list[0]',
    ]);
  });

  it('treats an empty variable as missing: an ops system must not run with an empty token', () => {
    expect(run({ token: '${TOKEN}' }, { TOKEN: '' }).errors).toEqual([
      'file.json5: token: Missing env var "TOKEN" referenced at config path: token',
    ]);
  });

  it('warns about ${VAR:-default}, which stays literal', () => {
    const result = run({ url: '${URL:-http://localhost}' }, {});
    expect(result.value).toEqual({ url: '${URL:-http://localhost}' });
    expect(result.errors).toEqual([]);
    expect(result.warnings[0]).toMatch(
      /^file\.json5: url: .*\$\{VAR:-default\}, which is not supported/,
    );
  });

  it('marks substituted values so config print can redact them', () => {
    const { node } = run({ a: '${A}', b: 'plain', c: '$${A}' }, { A: 'secret' });
    const entries = node.kind === 'object' ? node.entries : new Map();
    expect(entries.get('a')).toMatchObject({ value: 'secret', fromEnv: true });
    expect(entries.get('b')).not.toHaveProperty('fromEnv');
    expect(entries.get('c')).not.toHaveProperty('fromEnv');
  });
});
