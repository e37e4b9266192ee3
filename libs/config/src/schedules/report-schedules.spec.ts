import { loadConfig } from '../config.loader';
import { SHIPPED_CONFIG_DIR } from '../testing';
import { nextReportRun, reportSchedules } from './report-schedules';

describe('reportSchedules', () => {
  const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });

  it('lists every shipped report with its owner and the crew zone, staggered in time', () => {
    const schedules = reportSchedules(loaded.config);
    expect(schedules.map((s) => [s.name, s.agent, s.timezone])).toEqual([
      ['slo-daily', 'atlas', 'Asia/Seoul'],
      ['deadletter-summary', 'atlas', 'Asia/Seoul'],
      ['ops-monitor-daily', 'ops-monitor', 'Asia/Seoul'],
      ['jira-resolver-daily', 'jira-resolver', 'Asia/Seoul'],
      ['demo-controller-weekly', 'demo-controller', 'Asia/Seoul'],
    ]);
    // Staggered: no two reports fire in the same minute of a Monday.
    const monday = new Date('2026-12-06T15:00:00Z'); // Sunday 24:00 in Seoul
    const runs = schedules.map((s) => nextReportRun(s, monday).getTime());
    expect(new Set(runs).size).toBe(runs.length);
  });

  it('reads the cron in the schedule zone, which beats the crew zone', () => {
    const at = new Date('2026-12-07T00:00:00Z');
    // 09:00 in Seoul (+09:00, no DST) is 00:00 UTC.
    expect(nextReportRun({ cron: '0 9 * * *', timezone: 'Asia/Seoul' }, at).toISOString()).toBe(
      '2026-12-08T00:00:00.000Z',
    );
    expect(nextReportRun({ cron: '0 9 * * *', timezone: 'UTC' }, at).toISOString()).toBe(
      '2026-12-07T09:00:00.000Z',
    );
    // Europe/Berlin in summer is +02:00: the zone, not a fixed offset.
    expect(
      nextReportRun(
        { cron: '0 9 * * *', timezone: 'Europe/Berlin' },
        new Date('2026-07-01T00:00:00Z'),
      ).toISOString(),
    ).toBe('2026-07-01T07:00:00.000Z');
  });

  it('refuses a name two agents use, naming both', () => {
    const config = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
    const atlas = config.agents.get('atlas');
    const monitor = config.agents.get('ops-monitor');
    const daily = monitor?.schedules.get('ops-monitor-daily');
    if (!atlas || !daily) throw new Error('shipped config changed');
    atlas.schedules.set('ops-monitor-daily', daily);
    expect(() => reportSchedules(config)).toThrow(
      'agents.ops-monitor.schedules.ops-monitor-daily: the name is also agents.atlas.schedules.ops-monitor-daily',
    );
  });
});
