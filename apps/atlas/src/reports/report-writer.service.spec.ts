import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { type EventPublisher } from '@opscrew/messaging';
import { FileSandbox, SandboxViolationError } from '@opscrew/sandbox';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ReportWriter } from './report-writer.service';

describe('ReportWriter in atlas’s filesystem sandbox', () => {
  let fixture: ConfigFixture;
  let published: string[];
  const publisher = {
    publish: (subject: string) => {
      published.push(subject);
      return Promise.resolve();
    },
  } as unknown as EventPublisher;
  const line = { kind: 'liveness', title: 'ops-monitor is stale', text: 'no heartbeat for 90 s' };

  beforeEach(() => {
    fixture = ConfigFixture.shipped();
    published = [];
  });
  afterEach(() => fixture.remove());

  function writer(write: string[]): ReportWriter {
    const loaded = loadConfig({ configDir: fixture.dir, env: {} });
    const files = new FileSandbox({
      agent: 'atlas',
      projectRoot: loaded.projectRoot,
      read: [],
      write,
    });
    return new ReportWriter(publisher, loaded, files);
  }

  it('appends var/reports/atlas.jsonl, then publishes', async () => {
    await writer(['var/reports/']).write(line);
    const text = readFileSync(join(fixture.projectDir, 'var', 'reports', 'atlas.jsonl'), 'utf8');
    expect(JSON.parse(text)).toMatchObject(line);
    expect(published).toEqual(['report.liveness']);
  });

  it('rotates atlas.jsonl by files.rotate, lines whole', async () => {
    fixture.patch(
      'opscrew.json5',
      'files: { rotate: { max_bytes: 10485760, keep: 5 } },',
      'files: { rotate: { max_bytes: 1024, keep: 1 } },',
    );
    const reports = writer(['var/reports/']);
    const long = { ...line, text: 'x'.repeat(600) };
    for (let i = 0; i < 3; i++) await reports.write({ ...long, title: `report ${i}` });
    const dir = join(fixture.projectDir, 'var', 'reports');
    expect(readdirSync(dir).sort()).toEqual(['atlas.1.jsonl', 'atlas.jsonl']);
    const titles = (file: string): string[] =>
      readFileSync(join(dir, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { title: string }).title);
    expect(titles('atlas.1.jsonl')).toEqual(['report 1']);
    expect(titles('atlas.jsonl')).toEqual(['report 2']);
  });

  it('refuses when var/reports/ is not in its write list: nothing written, nothing published', async () => {
    await expect(writer(['var/audit/']).write(line)).rejects.toThrow(
      /file sandbox: atlas may not write ".*var\/reports\/atlas\.jsonl".*allows var\/audit\//,
    );
    expect(existsSync(join(fixture.projectDir, 'var', 'reports'))).toBe(false);
    expect(published).toEqual([]);
  });

  it('refuses var/reports swapped for a symlink out of the project, and writes nothing there', async () => {
    const reports = writer(['var/reports/']);
    const outside = join(fixture.projectDir, '..', `${process.pid}-outside-${Date.now()}`);
    mkdirSync(outside);
    try {
      mkdirSync(join(fixture.projectDir, 'var'));
      symlinkSync(outside, join(fixture.projectDir, 'var', 'reports'));
      await expect(reports.write(line)).rejects.toBeInstanceOf(SandboxViolationError);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      // rmSync of the fixture does not follow the link: remove the target ourselves.
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
