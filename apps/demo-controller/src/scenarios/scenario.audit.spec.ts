import { RecordingAudit } from '@opscrew/testing';
import { type AuditedRun, ScenarioAudit } from './scenario.audit';
import { type ScenarioEffect } from './scenario.effect';

const run: AuditedRun = {
  plan: { name: 'flagd_cart_failure', kind: 'flag', services: ['cart'] },
  run_id: 'flagd_cart_failure-20261206T220000-abcd',
};
const flag: ScenarioEffect = {
  label: 'flag cartFailure=100%',
  actions: { apply: 'flag.set', revert: 'flag.restore' },
  apply: () => Promise.resolve(),
  revert: () => Promise.resolve(),
};

describe('ScenarioAudit', () => {
  const setup = () => {
    const sink = new RecordingAudit();
    const logger = { warn: jest.fn() };
    return { sink, logger, audit: new ScenarioAudit(sink, logger) };
  };

  it('records as demo-controller, the effect’s own actions, the run in the input', async () => {
    const { sink, audit } = setup();
    await audit.started(run, 300_000);
    await audit.applied(run, flag);
    await audit.reverted(run, flag, new Error('flagd file refused'));
    await audit.ended(run, 'completed', undefined);
    expect(sink.entries).toEqual([
      {
        agent: 'demo-controller',
        action: 'scenario.start',
        verdict: 'allowed',
        result: `${run.run_id}: flag scenario flagd_cart_failure for 300 s on cart`,
        input: { scenario: 'flagd_cart_failure', run_id: run.run_id },
      },
      {
        agent: 'demo-controller',
        action: 'flag.set',
        verdict: 'allowed',
        result: `${run.run_id}: flag cartFailure=100%`,
        input: { scenario: 'flagd_cart_failure', run_id: run.run_id, effect: flag.label },
      },
      expect.objectContaining({
        action: 'flag.restore',
        result: `${run.run_id}: flag cartFailure=100% undo failed: flagd file refused`,
      }),
      expect.objectContaining({
        action: 'scenario.end',
        result: `${run.run_id}: flagd_cart_failure completed`,
      }),
    ]);
  });

  it('throws for what precedes acting, only logs for undoing and refusals', async () => {
    const { sink, logger, audit } = setup();
    sink.failing = true;
    await expect(audit.started(run, 1000)).rejects.toThrow('disk full');
    await expect(audit.locked(run, ['cart'], [])).rejects.toThrow('disk full');
    await expect(audit.applied(run, flag)).rejects.toThrow('disk full');
    await audit.reverted(run, flag);
    await audit.released(run, ['cart']);
    await audit.lost(run, 'cart', 'lease lost');
    await audit.ended(run, 'aborted', 'lock lost');
    await audit.refused('stress', new Error('busy'));
    expect(logger.warn).toHaveBeenCalledTimes(5);
    expect(logger.warn).toHaveBeenCalledWith('audit record not written: disk full');
  });

  it('does nothing without a sink', async () => {
    const logger = { warn: jest.fn() };
    const audit = new ScenarioAudit(null, logger);
    await audit.started(run, 1000);
    await audit.ended(run, 'completed', undefined);
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
