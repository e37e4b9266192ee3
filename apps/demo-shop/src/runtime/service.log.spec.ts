import { ServiceLog } from './service.log';

describe('ServiceLog', () => {
  it('prints level and service; repeats of a key at most once a second, with the count left out', () => {
    let now = Date.parse('2026-11-24T10:00:00.000Z');
    const lines: [string, string][] = [];
    const log = new ServiceLog(
      'cart',
      (level, line) => lines.push([level, line]),
      () => now,
    );
    log.info('listening');
    for (let i = 0; i < 5; i++) log.throttled('error', 'storage', 'storage down');
    now += 1_000;
    log.throttled('error', 'storage', 'storage down');
    log.throttled('warn', 'other', 'something else');
    expect(lines).toEqual([
      ['info', '2026-11-24T10:00:00.000Z INFO cart: listening'],
      ['error', '2026-11-24T10:00:00.000Z ERROR cart: storage down'],
      ['error', '2026-11-24T10:00:01.000Z ERROR cart: storage down (+4 similar)'],
      ['warn', '2026-11-24T10:00:01.000Z WARN cart: something else'],
    ]);
  });
});
