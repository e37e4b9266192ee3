// Over ~300 lines: the log and its reader share fixtures (a tail is only right if the writes are).
import { type AuditEntry } from '@opscrew/ports';
import { FileSandbox, SandboxViolationError } from '@opscrew/sandbox';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@opscrew/testing';
import { readAuditTail } from './audit-tail.reader';
import { type AuditPublish, JsonlAuditLog } from './jsonl.audit-log';
import { inputDigest, stableJson } from './stable-json';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const SECRET = 'fake-secret-for-the-audit-test';

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    agent: 'jira-resolver',
    action: 'runtime.restart',
    verdict: 'allowed',
    result: 'restarted cart',
    input: { command: 'restart', service: 'cart', token: SECRET },
    incident_id: 'INC-20261124-001',
    revision: 7,
    ...overrides,
  };
}

function lines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('stableJson / inputDigest', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: 'x' } };
    const b = { a: { x: 'x', y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(stableJson(a)).toBe('{"a":{"x":"x","y":[1,{"p":2,"q":1}]},"b":1}');
    expect(stableJson(b)).toBe(stableJson(a));
    expect(inputDigest(a)).toBe(inputDigest(b));
  });

  it('is the SHA-256 hex of the stable JSON', () => {
    const input = { service: 'cart', command: 'restart' };
    expect(inputDigest(input)).toBe(
      createHash('sha256').update('{"command":"restart","service":"cart"}').digest('hex'),
    );
    expect(inputDigest(input)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('follows JSON rules for undefined, dates, non-finite numbers and integer-like keys', () => {
    expect(stableJson({ a: undefined, b: [undefined, NaN], c: new Date(T0), 10: 1, 9: 2 })).toBe(
      '{"10":1,"9":2,"b":[null,null],"c":"2026-11-24T10:00:00.000Z"}',
    );
    expect(stableJson(undefined)).toBe('null');
  });

  it('keeps Maps, Sets and bigints distinct instead of collapsing them to {}', () => {
    expect(
      stableJson(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ).toBe('[["a",2],["b",1]]');
    expect(stableJson(new Set([2, 1]))).toBe('[1,2]');
    expect(stableJson({ n: 10n })).toBe('{"n":"10"}');
    expect(inputDigest(new Map([['a', 1]]))).not.toBe(inputDigest(new Map([['a', 2]])));
  });

  it('refuses a cyclic input', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => stableJson(cyclic)).toThrow(/cyclic/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(stableJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});

describe('JsonlAuditLog', () => {
  let dir: string;
  let path: string;
  let clock: ManualClock;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-audit-'));
    path = join(dir, 'nested', 'audit.jsonl');
    clock = new ManualClock(T0);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON object per line with the documented fields, and the digest instead of the input', async () => {
    const log = new JsonlAuditLog({ path, clock });
    await log.record(entry());
    clock.advance(1000);
    await log.record(
      entry({
        action: 'runtime.rm',
        verdict: 'refused',
        result: 'refused: rm',
        revision: undefined,
      }),
    );
    expect(lines(path)).toEqual([
      {
        at: '2026-11-24T10:00:00.000Z',
        agent: 'jira-resolver',
        action: 'runtime.restart',
        verdict: 'allowed',
        result: 'restarted cart',
        input_digest: inputDigest({ command: 'restart', service: 'cart', token: SECRET }),
        incident_id: 'INC-20261124-001',
        revision: 7,
      },
      {
        at: '2026-11-24T10:00:01.000Z',
        agent: 'jira-resolver',
        action: 'runtime.rm',
        verdict: 'refused',
        result: 'refused: rm',
        input_digest: inputDigest({ command: 'restart', service: 'cart', token: SECRET }),
        incident_id: 'INC-20261124-001',
      },
    ]);
    expect(readFileSync(path, 'utf8')).not.toContain(SECRET);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('never rewrites: lines already in the file stay byte for byte, a new log appends after them', async () => {
    const first = new JsonlAuditLog({ path, clock });
    await first.record(entry({ result: 'one' }));
    const before = readFileSync(path, 'utf8');
    const second = new JsonlAuditLog({ path, clock });
    await second.record(entry({ result: 'two' }));
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(lines(path)).toHaveLength(2);
  });

  it('starts on a fresh line after a torn append (a crash mid-line)', async () => {
    const log = new JsonlAuditLog({ path, clock });
    await log.record(entry({ result: 'whole' }));
    writeFileSync(path, readFileSync(path, 'utf8') + '{"at":"2026-11-24T10:0', { flag: 'w' });
    const next = new JsonlAuditLog({ path, clock });
    await next.record(entry({ result: 'after the tear' }));
    const raw = readFileSync(path, 'utf8').split('\n');
    expect(raw[1]).toBe('{"at":"2026-11-24T10:0');
    expect(JSON.parse(raw[2] ?? '')).toMatchObject({ result: 'after the tear' });
    const tail = await readAuditTail(path, 10);
    expect(tail.map((r) => r.result)).toEqual(['whole', 'after the tear']);
  });

  it('rotates by size when given files.rotate: whole records, the newest in the live file', async () => {
    // ~350-byte records: two or three a file, five files kept.
    const log = new JsonlAuditLog({ path, clock, rotate: { max_bytes: 1024, keep: 4 } });
    for (let i = 0; i < 20; i++) await log.record(entry({ result: `r${i} ${'z'.repeat(100)}` }));
    const rotated = (n: number): string => join(dir, 'nested', `audit.${n}.jsonl`);
    for (const file of [path, rotated(1), rotated(2), rotated(3), rotated(4)]) {
      expect(statSync(file).size).toBeLessThanOrEqual(1024);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(rotated(5))).toBe(false);
    const last = lines(path).at(-1) as { result: string };
    expect(last.result.startsWith('r19 ')).toBe(true);
    // The tail reads across the rotations: the last 8 are whole even though the live file has fewer.
    const tail = await readAuditTail(path, 8);
    expect(tail.map((r) => r.result.split(' ')[0])).toEqual(
      Array.from({ length: 8 }, (_, i) => `r${12 + i}`),
    );
    expect(lines(path).length).toBeLessThan(8);
  });

  it('keeps concurrent records whole and in call order', async () => {
    const log = new JsonlAuditLog({ path, clock });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record(entry({ result: `r${i}` }))));
    expect(lines(path).map((l) => (l as { result: string }).result)).toEqual(
      Array.from({ length: 50 }, (_, i) => `r${i}`),
    );
  });

  it('flattens newlines and bounds action and result (one line per record)', async () => {
    const log = new JsonlAuditLog({ path, clock });
    await log.record(
      entry({
        action: `runtime.${'x'.repeat(300)}`,
        result: `line1\nline2\r\n${'y'.repeat(3000)}`,
      }),
    );
    const [record] = lines(path) as { action: string; result: string }[];
    expect(record?.action).toHaveLength(128);
    expect(record?.result.startsWith('line1 line2 ')).toBe(true);
    expect(record?.result).toHaveLength(2000);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
  });

  it('publishes audit.<agent> with the contract payload after the line is written', async () => {
    const published: { subject: string; payload: unknown; options: unknown }[] = [];
    const publish: AuditPublish = (subject, payload, options) => {
      // The line is already on disk when the bus hears about it.
      expect(readFileSync(path, 'utf8')).toContain('"result":"restarted cart"');
      published.push({ subject, payload, options });
      return Promise.resolve();
    };
    const log = new JsonlAuditLog({ path, clock, publish });
    await log.record(entry());
    await log.flush();
    expect(published).toEqual([
      {
        subject: 'audit.jira-resolver',
        payload: {
          agent: 'jira-resolver',
          action: 'runtime.restart',
          verdict: 'allowed',
          input_digest: inputDigest({ command: 'restart', service: 'cart', token: SECRET }),
          result: 'restarted cart',
          revision: 7,
        },
        options: { id: expect.any(String), at: '2026-11-24T10:00:00.000Z' },
      },
    ]);
    expect(JSON.stringify(published)).not.toContain(SECRET);
  });

  it('takes an EventPublisher-like object as well as a function', async () => {
    const subjects: string[] = [];
    const publisher = {
      publish: (subject: string) => {
        subjects.push(subject);
        return Promise.resolve({ seq: 1 });
      },
    };
    const log = new JsonlAuditLog({ path, clock, publish: publisher });
    await log.record(entry());
    await log.flush();
    expect(subjects).toEqual(['audit.jira-resolver']);
  });

  it('flush() waits for publishes of records still being written', async () => {
    const published: string[] = [];
    const log = new JsonlAuditLog({
      path,
      clock,
      publish: (_subject, payload) => {
        published.push(payload.result);
        return Promise.resolve();
      },
    });
    const pending = [log.record(entry({ result: 'a' })), log.record(entry({ result: 'b' }))];
    await log.flush();
    expect(published).toEqual(['a', 'b']);
    await Promise.all(pending);
  });

  it('logs a publish failure and keeps the line', async () => {
    const errors: string[] = [];
    const log = new JsonlAuditLog({
      path,
      clock,
      publish: () => Promise.reject(new Error('no responders')),
      logger: { warn: () => undefined, error: (m: string) => void errors.push(m) },
    });
    await expect(log.record(entry())).resolves.toBeUndefined();
    await log.flush();
    expect(lines(path)).toHaveLength(1);
    expect(errors).toEqual([
      expect.stringMatching(
        /runtime.restart \(allowed\) written to .* but not published: no responders/,
      ),
    ]);
  });

  it('does not publish for a name that is not a crew agent, but writes the line', async () => {
    const publish = jest.fn<ReturnType<AuditPublish>, Parameters<AuditPublish>>(() =>
      Promise.resolve(),
    );
    const warnings: string[] = [];
    const log = new JsonlAuditLog({
      path,
      clock,
      publish,
      logger: { warn: (m: string) => void warnings.push(m), error: () => undefined },
    });
    await log.record(entry({ agent: 'intruder' }));
    await log.flush();
    expect(publish).not.toHaveBeenCalled();
    expect(lines(path)).toHaveLength(1);
    expect(warnings[0]).toMatch(/"intruder" is not a crew agent/);
  });

  it('rejects when the line cannot be written (callers fail closed)', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    const log = new JsonlAuditLog({ path: join(dir, 'file', 'audit.jsonl'), clock });
    await expect(log.record(entry())).rejects.toThrow(/audit log .*file\/audit.jsonl/);
  });
});

describe('JsonlAuditLog in a filesystem sandbox', () => {
  let root: string;
  let outside: string;
  let refusals: SandboxViolationError[];

  beforeEach(() => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'opscrew-audit-sandbox-')));
    root = join(base, 'project');
    outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    refusals = [];
  });
  afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  function sandbox(read = ['var/audit/'], write = ['var/audit/']): FileSandbox {
    return new FileSandbox({
      agent: 'jira-resolver',
      projectRoot: root,
      read,
      write,
      onViolation: (v) => refusals.push(v),
    });
  }

  it('appends inside the sandbox, creating var/audit/', async () => {
    const path = join(root, 'var', 'audit', 'jira-resolver.jsonl');
    const log = new JsonlAuditLog({ path, clock: new ManualClock(T0), files: sandbox() });
    await log.record(entry());
    await log.record(entry());
    expect(lines(path)).toHaveLength(2);
    expect(refusals).toEqual([]);
  });

  it('refuses a path outside the sandbox and writes nothing', async () => {
    const path = join(outside, 'audit', 'jira-resolver.jsonl');
    const log = new JsonlAuditLog({ path, clock: new ManualClock(T0), files: sandbox() });
    await expect(log.record(entry())).rejects.toThrow(
      /audit log .*: append failed: file sandbox: jira-resolver may not write/,
    );
    expect(existsSync(join(outside, 'audit'))).toBe(false);
    expect(refusals.map((r) => r.operation)).toEqual(['write']);
  });

  it('refuses var/audit/ swapped for a symlink to outside, and writes nothing there', async () => {
    const files = sandbox();
    mkdirSync(join(root, 'var'));
    symlinkSync(outside, join(root, 'var', 'audit'));
    const log = new JsonlAuditLog({
      path: join(root, 'var', 'audit', 'jira-resolver.jsonl'),
      clock: new ManualClock(T0),
      files,
    });
    await expect(log.record(entry())).rejects.toThrow(/file sandbox: jira-resolver may not write/);
    expect(refusals[0]).toBeInstanceOf(SandboxViolationError);
    expect(existsSync(join(outside, 'jira-resolver.jsonl'))).toBe(false);
  });

  it('needs read as well as write (it checks the last byte before appending)', async () => {
    const path = join(root, 'var', 'audit', 'jira-resolver.jsonl');
    const log = new JsonlAuditLog({ path, clock: new ManualClock(T0), files: sandbox([]) });
    await expect(log.record(entry())).rejects.toThrow(/may not read/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('readAuditTail', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'opscrew-audit-tail-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the last n records oldest first, across read chunks', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = new JsonlAuditLog({ path, clock: new ManualClock(T0) });
    // ~3000 lines of ~300 bytes: several 64 KiB chunks.
    for (let i = 0; i < 3000; i++) await log.record(entry({ result: `r${i} ${'z'.repeat(100)}` }));
    const tail = await readAuditTail(path, 5);
    expect(tail.map((r) => r.result.split(' ')[0])).toEqual([
      'r2995',
      'r2996',
      'r2997',
      'r2998',
      'r2999',
    ]);
    const all = await readAuditTail(path, 10_000);
    expect(all).toHaveLength(3000);
    expect(all[0]?.result.startsWith('r0 ')).toBe(true);
  });

  it('reads across rotations, newest last, also just after a rotation and across a gap', async () => {
    const path = join(dir, 'atlas.jsonl');
    const write = (file: string, from: number, to: number): void => {
      const text = Array.from({ length: to - from + 1 }, (_, i) =>
        JSON.stringify({
          at: `t${from + i}`,
          action: 'a',
          input_digest: 'd',
          result: `r${from + i}`,
        }),
      ).join('\n');
      writeFileSync(join(dir, file), `${text}\n`);
    };
    // Just after a rotation (and a crash before the next append): no live file yet.
    write('atlas.3.jsonl', 1, 3);
    write('atlas.1.jsonl', 4, 6);
    write('atlas.x.jsonl', 100, 101); // not a rotation: ignored
    write('atlas.1.json', 200, 201); // nor this
    expect((await readAuditTail(path, 4)).map((r) => r.result)).toEqual(['r3', 'r4', 'r5', 'r6']);
    write('atlas.jsonl', 7, 7);
    expect((await readAuditTail(path, 5)).map((r) => r.result)).toEqual([
      'r3',
      'r4',
      'r5',
      'r6',
      'r7',
    ]);
    expect(await readAuditTail(path, 100)).toHaveLength(7);
    expect((await readAuditTail(path, 1)).map((r) => r.result)).toEqual(['r7']);
  });

  it('has nothing for a missing file and checks n', async () => {
    await expect(readAuditTail(join(dir, 'none.jsonl'), 3)).resolves.toEqual([]);
    await expect(readAuditTail(join(dir, 'none.jsonl'), 0)).rejects.toThrow(RangeError);
  });
});
