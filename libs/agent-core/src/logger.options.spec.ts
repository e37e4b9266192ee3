import { configuredSecrets } from '@opscrew/contracts';
import { SECRET_SHAPES } from '@opscrew/testing';
import fc from 'fast-check';
import { pinoHttp, type Options } from 'pino-http';
import { Writable } from 'node:stream';
import { loggerOptions } from './logger.options';

/** Built at run time: no secret-shaped literal in the source. */
const DB_PASSWORD = ['hunter', '2'].join('').repeat(2);

/** The agents' real pino options (as nestjs-pino hands them to pino-http), writing to memory. */
function capture(): { lines: string[]; logger: ReturnType<typeof pinoHttp>['logger'] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const options = loggerOptions('ops-monitor', 'debug').pinoHttp as Options;
  return { lines, logger: pinoHttp(options, sink).logger };
}

describe('loggerOptions: the secret scrubber on every line', () => {
  const configured = 'cfgT0k3n-9f8e7d6c5b4a39281706';
  const anthropic = `sk-ant-api03-${'Ab1Cd2Ef3Gh4'.repeat(7)}`;

  beforeEach(() => configuredSecrets.register(configured));
  afterEach(() => configuredSecrets.clear());

  it('scrubs the message, bound fields, objects and an error message and stack', () => {
    const { lines, logger } = capture();
    const err = new Error(`jira said 401 for password=${DB_PASSWORD} and ${configured}`);
    logger.error(
      { err, context: 'JiraTracker' },
      `retrying with Authorization: Bearer ${anthropic}`,
    );
    logger
      .child({ url: `nats://cli:${configured}@nats:4222` })
      .info({ settings: { api_key: 'AbCdEf0123456789xyz', note: 'plain' } }, 'connected');
    logger.warn(`key %s leaked in ${encodeURIComponent(configured)}`, configured.slice(0, 10));

    expect(lines).toHaveLength(3);
    const text = lines.join('\n');
    for (const secret of [
      configured,
      configured.slice(0, 8),
      anthropic,
      DB_PASSWORD,
      'AbCdEf0123456789xyz',
    ]) {
      expect(text).not.toContain(secret);
    }
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first?.msg).toBe('retrying with Authorization: Bearer [REDACTED:anthropic]');
    expect(JSON.stringify(first?.err)).toContain('[REDACTED:configured]');
    expect(second?.url).toBe('nats://cli:[REDACTED:configured]@nats:4222');
    expect(second?.settings).toEqual({ api_key: '[REDACTED:secret]', note: 'plain' });
  });

  it('leaves an ordinary line as it was', () => {
    const { lines, logger } = capture();
    logger.info({ incident: 'INC-20260101-001-0001' }, 'incident opened for cart: 1834 tokens');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      incident: 'INC-20260101-001-0001',
      msg: 'incident opened for cart: 1834 tokens',
    });
  });

  it('keeps every line valid JSON and secret-free, whatever text surrounds the secrets', () => {
    const shapes = fc.constantFrom(...SECRET_SHAPES);
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    fc.assert(
      fc.property(text, shapes, text, (before, shape, after) => {
        const { lines, logger } = capture();
        // Separated: a token glued to more letters is another (longer) token, not this shape.
        logger.info(
          { detail: `${before} ${shape.line}\n${after}` },
          `${after}\n${shape.line} ${before}`,
        );
        expect(lines).toHaveLength(1);
        const parsed = JSON.parse(lines[0] ?? '') as { msg: string; detail: string };
        expect(parsed.msg).not.toContain(shape.secret);
        expect(parsed.detail).not.toContain(shape.secret);
      }),
      { numRuns: 300 },
    );
  });
});
