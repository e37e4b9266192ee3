import { SchedulerRegistry } from '@nestjs/schedule';
import { ClaimRenewal } from './claim-renewal';

describe('ClaimRenewal', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renews every interval until stopped, and stop() waits for the renewal in flight', async () => {
    let renewals = 0;
    let release: (() => void) | null = null;
    const renewal = new ClaimRenewal(
      new SchedulerRegistry(),
      'outbox-claim:test',
      100,
      () =>
        new Promise<boolean>((resolve) => {
          renewals++;
          release = () => resolve(true);
        }),
      () => undefined,
      () => undefined,
    );
    await jest.advanceTimersByTimeAsync(100);
    expect(renewals).toBe(1);
    let stopped = false;
    const stopping = renewal.stop().then(() => {
      stopped = true;
    });
    await jest.advanceTimersByTimeAsync(500);
    expect(stopped).toBe(false); // the renewal in flight still holds the revision
    (release as unknown as () => void)();
    await stopping;
    expect(stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(500);
    expect(renewals).toBe(1);
  });

  it('stops renewing once the claim is lost, and retries after a failed renewal', async () => {
    const answers: (boolean | Error)[] = [new Error('nats blip'), true, false];
    const lost = jest.fn();
    const errors: unknown[] = [];
    let calls = 0;
    const renewal = new ClaimRenewal(
      new SchedulerRegistry(),
      'outbox-claim:test',
      100,
      () => {
        calls++;
        const answer = answers.shift();
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? true);
      },
      lost,
      (err) => errors.push(err),
    );
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
    expect(errors).toHaveLength(1);
    expect(lost).toHaveBeenCalledTimes(1);
    await renewal.stop();
  });
});
