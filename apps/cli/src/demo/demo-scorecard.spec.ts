import { scorecardStep } from './demo-scorecard';

const run = (scenario: string, fp: number, missed = 0) => ({
  scenario,
  false_positives: fp,
  missed,
  restarts_during_lock: 0,
  summary: `${scenario} (completed): ${fp} false positive(s), ${missed} missed`,
});

describe('scorecardStep', () => {
  it('passes a scorecard with no false positive, miss or restart under a lock, and prints every run', () => {
    const said: string[] = [];
    const step = scorecardStep({ recent: [run('normal', 0), run('leak', 0)] }, (l) => said.push(l));
    expect(step.expectations.every((e) => e.ok)).toBe(true);
    expect(said).toEqual([
      '  scored: normal (completed): 0 false positive(s), 0 missed',
      '  scored: leak (completed): 0 false positive(s), 0 missed',
    ]);
  });

  it('fails naming the run that was wrong', () => {
    const step = scorecardStep({ recent: [run('normal', 1), run('leak', 0, 1)] }, () => undefined);
    const verdict = step.expectations[1];
    expect(verdict?.ok).toBe(false);
    expect(verdict?.detail).toContain('normal (completed): 1 false positive(s)');
    expect(verdict?.detail).toContain('leak (completed): 0 false positive(s), 1 missed');
  });

  it.each([null, 'oops', { recent: 'x' }, { recent: [{ scenario: 'normal' }] }])(
    'fails on an answer it cannot read (%p) instead of calling it clean',
    (answer) => {
      const step = scorecardStep(answer, () => undefined);
      expect(step.expectations.map((e) => e.ok)).toEqual([false, false]);
    },
  );
});
