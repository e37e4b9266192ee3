import fc from 'fast-check';
import {
  clearGiveUp,
  decideRestart,
  EMPTY_HISTORY,
  type RestartHistory,
  type RestartLoopLimits,
} from './restart-loop.policy';

const LIMITS: RestartLoopLimits = { max_restarts: 3, window_minutes: 15 };
const MINUTE = 60_000;
const T0 = Date.parse('2026-12-07T00:00:00.000Z');

describe('restart loop policy', () => {
  it('restarts once per stale episode', () => {
    const first = decideRestart(EMPTY_HISTORY, 'beat-1', T0, LIMITS);
    expect(first).toMatchObject({ action: 'restart', in_window: 1 });
    if (first.action !== 'restart') throw new Error('unreachable');
    expect(decideRestart(first.history, 'beat-1', T0 + MINUTE, LIMITS)).toEqual({
      action: 'already_handled',
    });
  });

  it('gives up on the episode after max_restarts in the window, then holds', () => {
    let history: RestartHistory = EMPTY_HISTORY;
    const actions: string[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = decideRestart(history, `beat-${i}`, T0 + i * MINUTE, LIMITS);
      actions.push(decision.action);
      if (decision.action !== 'already_handled') history = decision.history;
    }
    expect(actions).toEqual(['restart', 'restart', 'restart', 'give_up', 'held']);
    expect(history.gave_up_at).toBe(new Date(T0 + 3 * MINUTE).toISOString());
  });

  it('allows restarts again only after the agent stayed alive for a whole window', () => {
    let history: RestartHistory = EMPTY_HISTORY;
    for (let i = 0; i < 4; i++) {
      const decision = decideRestart(history, `beat-${i}`, T0 + i * MINUTE, LIMITS);
      if (decision.action !== 'already_handled') history = decision.history;
    }
    const aliveFrom = T0 + 5 * MINUTE;
    expect(clearGiveUp(history, aliveFrom, aliveFrom + 14 * MINUTE, LIMITS)).toBeNull();
    const cleared = clearGiveUp(history, aliveFrom, aliveFrom + 15 * MINUTE, LIMITS);
    expect(cleared?.gave_up_at).toBeNull();
    expect(
      decideRestart(cleared ?? history, 'beat-9', aliveFrom + 16 * MINUTE, LIMITS),
    ).toMatchObject({ action: 'restart' });
  });

  it('nothing to clear for an agent atlas never gave up on', () => {
    expect(clearGiveUp(EMPTY_HISTORY, T0, T0 + 60 * MINUTE, LIMITS)).toBeNull();
  });

  /** A stale pattern: per step, minutes since the last one, a new episode or not, alive since. */
  const step = fc.record({
    gapMs: fc.integer({ min: 0, max: 20 * MINUTE }),
    newEpisode: fc.boolean(),
    aliveForMs: fc.option(fc.integer({ min: 0, max: 40 * MINUTE })),
  });
  const limits = fc.record({
    max_restarts: fc.integer({ min: 1, max: 6 }),
    window_minutes: fc.integer({ min: 1, max: 30 }),
  });

  it('never more than max_restarts restarts in any window_minutes, whatever the pattern', () => {
    fc.assert(
      fc.property(limits, fc.array(step, { maxLength: 120 }), (lim, steps) => {
        let history: RestartHistory = EMPTY_HISTORY;
        let now = T0;
        let episode = 0;
        const restarts: number[] = [];
        for (const s of steps) {
          now += s.gapMs;
          if (s.aliveForMs !== null) {
            history = clearGiveUp(history, now - s.aliveForMs, now, lim) ?? history;
          }
          if (s.newEpisode) episode++;
          const decision = decideRestart(history, `beat-${episode}`, now, lim);
          if (decision.action === 'already_handled') continue;
          history = decision.history;
          if (decision.action === 'restart') restarts.push(now);
        }
        const windowMs = lim.window_minutes * MINUTE;
        for (const start of restarts) {
          const inside = restarts.filter((at) => at >= start && at < start + windowMs);
          expect(inside.length).toBeLessThanOrEqual(lim.max_restarts);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never two restarts for one episode, whatever the pattern', () => {
    fc.assert(
      fc.property(limits, fc.array(step, { maxLength: 60 }), (lim, steps) => {
        let history: RestartHistory = EMPTY_HISTORY;
        let now = T0;
        let episode = 0;
        const restarted = new Set<number>();
        for (const s of steps) {
          now += s.gapMs;
          if (s.newEpisode) episode++;
          const decision = decideRestart(history, `beat-${episode}`, now, lim);
          if (decision.action === 'already_handled') continue;
          history = decision.history;
          if (decision.action === 'restart') {
            expect(restarted.has(episode)).toBe(false);
            restarted.add(episode);
          }
        }
      }),
    );
  });
});
