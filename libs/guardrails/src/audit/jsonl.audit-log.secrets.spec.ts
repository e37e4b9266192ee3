import { configuredSecrets } from '@opscrew/contracts';
import { ManualClock, SECRET_SHAPES } from '@opscrew/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEventPayload, JsonlAuditLog } from './jsonl.audit-log';

describe('JsonlAuditLog: no secret reaches the file or the bus', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-audit-secrets-'));
    path = join(dir, 'audit.jsonl');
  });
  afterEach(() => {
    configuredSecrets.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrubs every secret shape from the result, in the file and in the published event', async () => {
    const published: AuditEventPayload[] = [];
    const log = new JsonlAuditLog({
      path,
      clock: new ManualClock(Date.parse('2026-12-07T03:00:00.000Z')),
      publish: (_subject, payload) => {
        published.push(payload);
        return Promise.resolve();
      },
    });
    for (const shape of SECRET_SHAPES) {
      await log.record({
        agent: 'jira-resolver',
        action: 'tracker.create',
        verdict: 'refused',
        result: `failed: ${shape.line}`,
        input: {},
      });
    }
    await log.flush();
    const file = readFileSync(path, 'utf8');
    const bus = JSON.stringify(published);
    expect(file.trim().split('\n')).toHaveLength(SECRET_SHAPES.length);
    for (const shape of SECRET_SHAPES) {
      expect(file).not.toContain(shape.secret);
      expect(bus).not.toContain(shape.secret);
    }
    expect(file).toContain('[REDACTED:');
  });

  it('scrubs a configured secret and its URL-encoded form, before the result is cut', async () => {
    const token = 'Zk3-cfg-7f6e5d4c3b2a1908f7e6';
    configuredSecrets.register(token);
    const log = new JsonlAuditLog({ path });
    await log.record({
      agent: 'atlas',
      action: 'notify.discord',
      verdict: 'refused',
      result: `POST ?t=${encodeURIComponent(token)} ${'x'.repeat(1990)} ${token}`,
      input: {},
    });
    const file = readFileSync(path, 'utf8');
    expect(file).not.toContain(token.slice(0, 8));
    expect(file).not.toContain(encodeURIComponent(token).slice(0, 8));
  });
});
