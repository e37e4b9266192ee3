import { ConfigFixture } from '@opscrew/config/testing';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { buildProgram } from '../main';
import { reportList, reportNow } from './report.command';

const TOKEN = 'report-test-token-0123456789';

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

describe('opscrew report', () => {
  let fixture: ConfigFixture;
  beforeAll(() => {
    fixture = ConfigFixture.shippedWithOverlay({ http: { api_token: TOKEN } });
  });
  afterAll(() => fixture.remove());

  it('lists every report with its owner, cron, zone and next run (the zone wall clock and UTC)', () => {
    const io = captureIo();
    expect(reportList({ config: fixture.dir }, io, new Date('2026-12-07T00:10:00Z'))).toBe(EXIT_OK);
    expect(io.stdout[0]).toMatch(/^NAME\s+AGENT\s+CRON\s+TIME ZONE\s+NEXT RUN\s+DESCRIPTION$/);
    const daily = io.stdout.find((line) => line.startsWith('ops-monitor-daily'));
    expect(daily).toMatch(
      /ops-monitor-daily\s+ops-monitor\s+0 9 \* \* \*\s+Asia\/Seoul\s+2026-12-08 09:00 Asia\/Seoul \(2026-12-08T00:00:00.000Z\)/,
    );
    expect(io.stdout.map((line) => line.split(/\s+/)[0])).toEqual([
      'NAME',
      'slo-daily',
      'deadletter-summary',
      'ops-monitor-daily',
      'jira-resolver-daily',
      'demo-controller-weekly',
    ]);
  });

  it('asks the owning agent, with the token, and says what it published', async () => {
    const io = captureIo();
    const calls: { url: string; init: RequestInit }[] = [];
    const code = await reportNow(
      'jira-resolver-daily',
      { config: fixture.dir, now: true },
      io,
      (url, init) => {
        calls.push({ url, init });
        return Promise.resolve(
          Response.json({ name: 'jira-resolver-daily', sent: true, event_id: 'report.x.now.1' }),
        );
      },
    );
    expect(code).toBe(EXIT_OK);
    expect(calls[0]?.url).toBe('http://127.0.0.1:3002/reports/jira-resolver-daily');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.headers).toEqual({ authorization: `Bearer ${TOKEN}` });
    expect(io.stdout).toEqual([
      'jira-resolver-daily: published by jira-resolver as report.x.now.1; atlas forwards it to the notifier',
    ]);
  });

  it('refuses an unknown name listing the known ones, and a name without --now', async () => {
    const io = captureIo();
    const never = () => Promise.reject(new Error('not called'));
    expect(await reportNow('weekly', { config: fixture.dir, now: true }, io, never)).toBe(
      EXIT_INVALID,
    );
    expect(io.stderr[0]).toBe(
      'no report "weekly"; known: slo-daily, deadletter-summary, ops-monitor-daily, jira-resolver-daily, demo-controller-weekly (opscrew report list)',
    );
    expect(await reportNow('ops-monitor-daily', { config: fixture.dir }, io, never)).toBe(
      EXIT_INVALID,
    );
    expect(io.stderr[1]).toContain('add --now to send it at once');
  });

  it('says which agent does not answer, and passes on what an agent refuses', async () => {
    const io = captureIo();
    const refused = () =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
        }),
      );
    expect(
      await reportNow('demo-controller-weekly', { config: fixture.dir, now: true }, io, refused),
    ).toBe(EXIT_FAILURE);
    expect(io.stderr[0]).toBe(
      'demo-controller does not answer at http://127.0.0.1:3003 (ECONNREFUSED): is it running? (opscrew start demo-controller; --url for another address)',
    );
    const missing = () =>
      Promise.resolve(Response.json({ message: 'no report "x" here' }, { status: 404 }));
    expect(
      await reportNow(
        'slo-daily',
        { config: fixture.dir, now: true, url: 'http://h:1/' },
        io,
        missing,
      ),
    ).toBe(EXIT_INVALID);
    expect(io.stderr[1]).toBe('atlas refused slo-daily (HTTP 404): no report "x" here');
  });

  it('is wired as `report list` and `report <name> --now`', async () => {
    const io = captureIo();
    let exit = -1;
    await buildProgram(io, (code) => (exit = code)).parseAsync([
      'node',
      'opscrew',
      'report',
      'list',
      '--config',
      fixture.dir,
    ]);
    expect(exit).toBe(EXIT_OK);
    expect(io.stdout[0]).toMatch(/^NAME/);
    await buildProgram(io, (code) => (exit = code)).parseAsync([
      'node',
      'opscrew',
      'report',
      'nope',
      '--now',
      '--config',
      fixture.dir,
    ]);
    expect(exit).toBe(EXIT_INVALID);
    expect(io.stderr.at(-1)).toMatch(/^no report "nope"/);
  });
});
