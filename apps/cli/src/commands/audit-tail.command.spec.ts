import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigFixture } from '@opscrew/config/testing';
import { type AuditRecord, auditFileFor } from '@opscrew/guardrails';
import { EXIT_INVALID, EXIT_OK } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { auditTail } from './audit-tail.command';

const record = (at: string, agent: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  at,
  agent,
  action: 'runtime.restart',
  verdict: 'allowed',
  result: 'restarted',
  input_digest: 'a'.repeat(64),
  ...extra,
});

describe('opscrew audit tail', () => {
  let fixture: ConfigFixture;
  const write = (agent: string, records: AuditRecord[], rotation = 0): void => {
    const live = join(fixture.projectDir, auditFileFor(agent));
    const file = rotation === 0 ? live : live.replace(/\.jsonl$/, `.${rotation}.jsonl`);
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  };
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it("merges every agent's last records in time order, newest last", async () => {
    write('jira-resolver', [
      record('2026-11-25T10:00:01.000Z', 'jira-resolver', { incident_id: 'INC-20261125-001' }),
      record('2026-11-25T10:00:03.000Z', 'jira-resolver', {
        action: 'runtime.exec',
        verdict: 'refused',
        result: 'exec is not an allowed command',
        revision: 7,
      }),
    ]);
    write('ops-monitor', [record('2026-11-25T10:00:02.000Z', 'ops-monitor')]);
    const io = new RecordingIo();
    expect(await auditTail({ config: fixture.dir, lines: '2' }, io)).toBe(EXIT_OK);
    expect(io.stdout).toEqual([
      `2026-11-25T10:00:02.000Z ops-monitor ALLOWED runtime.restart: restarted (input sha256 aaaaaaaaaaaa)`,
      `2026-11-25T10:00:03.000Z jira-resolver REFUSED runtime.exec [rev 7]: exec is not an allowed command (input sha256 aaaaaaaaaaaa)`,
    ]);
  });

  it('filters by agent, prints JSON lines on request, and never replays control characters', async () => {
    write('jira-resolver', [
      record('2026-11-25T10:00:01.000Z', 'jira-resolver', { result: 'log said \u001b[2Jcleared' }),
    ]);
    write('ops-monitor', [record('2026-11-25T10:00:02.000Z', 'ops-monitor')]);
    const readable = new RecordingIo();
    await auditTail({ config: fixture.dir, agent: 'jira-resolver' }, readable);
    expect(readable.stdout).toHaveLength(1);
    expect(readable.stdout[0]).toContain('log said \\u001b[2Jcleared');
    const json = new RecordingIo();
    await auditTail({ config: fixture.dir, agent: 'ops-monitor', json: true }, json);
    expect(json.stdout.map((line) => JSON.parse(line) as AuditRecord)).toEqual([
      record('2026-11-25T10:00:02.000Z', 'ops-monitor'),
    ]);
  });

  it('reads across rotated files, also when only rotations are left (just after a rotation)', async () => {
    write('demo-controller', [record('2026-11-25T10:00:01.000Z', 'demo-controller')], 2);
    write(
      'demo-controller',
      [
        record('2026-11-25T10:00:02.000Z', 'demo-controller'),
        record('2026-11-25T10:00:03.000Z', 'demo-controller', { action: 'scenario.start' }),
      ],
      1,
    );
    const rotatedOnly = new RecordingIo();
    expect(await auditTail({ config: fixture.dir, lines: '3', json: true }, rotatedOnly)).toBe(
      EXIT_OK,
    );
    expect(rotatedOnly.stdout.map((l) => (JSON.parse(l) as AuditRecord).at)).toEqual([
      '2026-11-25T10:00:01.000Z',
      '2026-11-25T10:00:02.000Z',
      '2026-11-25T10:00:03.000Z',
    ]);
    write('demo-controller', [record('2026-11-25T10:00:04.000Z', 'demo-controller')]);
    const io = new RecordingIo();
    await auditTail({ config: fixture.dir, agent: 'demo-controller', lines: '2' }, io);
    expect(io.stdout).toEqual([
      `2026-11-25T10:00:03.000Z demo-controller ALLOWED scenario.start: restarted (input sha256 aaaaaaaaaaaa)`,
      `2026-11-25T10:00:04.000Z demo-controller ALLOWED runtime.restart: restarted (input sha256 aaaaaaaaaaaa)`,
    ]);
  });

  it('says so when there is nothing yet, and names bad options', async () => {
    const empty = new RecordingIo();
    expect(await auditTail({ config: fixture.dir }, empty)).toBe(EXIT_OK);
    expect(empty.stderr[0]).toMatch(/^no audit records in .*var\/audit$/);
    const badCount = new RecordingIo();
    expect(await auditTail({ config: fixture.dir, lines: 'ten' }, badCount)).toBe(EXIT_INVALID);
    expect(badCount.stderr).toEqual([
      'opscrew audit tail: -n must be a whole number 1..10000, got "ten"',
    ]);
    const badAgent = new RecordingIo();
    expect(await auditTail({ config: fixture.dir, agent: 'atlass' }, badAgent)).toBe(EXIT_INVALID);
    expect(badAgent.stderr[0]).toContain('unknown agent "atlass"');
  });
});
