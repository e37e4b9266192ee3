import { DeliveryError } from '@opscrew/ports';
import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { type Item } from './outbox-item';
import { type OutboxOptions } from './outbox-options';
import { outboxUnits, unitAlert, type OutboxUnits } from './testing/outbox-units';

describe('OutboxSettlement', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  const claimedAlert = async (
    overrides: Partial<OutboxOptions> = {},
  ): Promise<{ units: OutboxUnits; claimed: Item }> => {
    const units = outboxUnits(overrides);
    const claimed = await units.claims.claim(
      await units.enqueue({ kind: 'notify', notification: unitAlert(1) }),
    );
    if (claimed === null) throw new Error('not claimed');
    return { units, claimed };
  };

  it('records a delivery with its result, drops the claim and the last error, stops renewing', async () => {
    const { units, claimed } = await claimedAlert();
    claimed.value = { ...claimed.value, last_error: 'earlier blip' };
    await units.settlement.markDelivered(claimed, 'OPS-1');
    const stored = await units.read(claimed.key);
    expect(stored).toMatchObject({ state: 'delivered', result_ref: 'OPS-1', attempts: 1 });
    expect(stored?.last_error).toBeUndefined();
    expect(stored?.claimed_by).toBeUndefined();
    expect(units.claims.heldKeys()).toEqual([]);
  });

  it('holds without counting an attempt, and unclaims a summary until its slot', async () => {
    const { units, claimed } = await claimedAlert();
    await units.settlement.hold(claimed, 'notification rate limit reached');
    expect(await units.read(claimed.key)).toMatchObject({ state: 'held', attempts: 0 });
    const { units: other, claimed: summary } = await claimedAlert();
    await other.settlement.unclaim(summary, other.clock.now() + 5000);
    expect(await other.read(summary.key)).toMatchObject({
      state: 'pending',
      attempts: 0,
      next_attempt_at: new Date(other.clock.now() + 5000).toISOString(),
    });
  });

  it('retries a retryable failure after its backoff, never before Retry-After', async () => {
    const { units, claimed } = await claimedAlert();
    const outcome = await units.settlement.retryOrFail(
      claimed,
      new DeliveryError('429', true, 5000, 429),
      false,
    );
    expect(outcome).toBe('retry');
    expect(await units.read(claimed.key)).toMatchObject({
      state: 'pending',
      last_error: '429',
      next_attempt_at: new Date(units.clock.now() + 5000).toISOString(),
    });
  });

  it('parks a refusal, and a retryable failure at max_attempts, as failed, logged at error', async () => {
    const { units, claimed } = await claimedAlert();
    expect(
      await units.settlement.retryOrFail(claimed, new DeliveryError('HTTP 400', false), false),
    ).toBe('failed');
    expect(await units.read(claimed.key)).toMatchObject({
      state: 'failed',
      last_error: 'HTTP 400',
    });
    const { units: other, claimed: last } = await claimedAlert({ max_attempts: 1 });
    await other.settlement.retryOrFail(last, new DeliveryError('HTTP 500', true), false);
    expect((await other.read(last.key))?.last_error).toBe('gave up after 1 attempts: HTTP 500');
    expect(logs.at('error').join('\n')).toContain('FAILED and parked');
  });

  it('records a delivery through a bus blip: the write is retried, never read as a failed send', async () => {
    const { units, claimed } = await claimedAlert();
    const update = units.store.update.bind(units.store);
    let failures = 2;
    jest.spyOn(units.store, 'update').mockImplementation(async (key, next, revision) => {
      if (failures-- > 0) throw new Error('TIMEOUT');
      return update(key, next, revision);
    });
    await units.settlement.markDelivered(claimed, 'OPS-1');
    expect(await units.read(claimed.key)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it('hands an unsent item back without counting an attempt', async () => {
    const { units, claimed } = await claimedAlert();
    await units.settlement.handBack(claimed, 'claim unsure');
    expect(await units.read(claimed.key)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(units.claims.heldKeys()).toEqual([]);
  });

  it("records over its own renewal whose reply was lost; another worker's claim stays a takeover", async () => {
    const { units, claimed } = await claimedAlert();
    // A renewal stored on the server whose reply never came back: `claimed` is a revision behind.
    const later = {
      ...claimed.value,
      claim_expires_at: new Date(units.clock.now() + 9).toISOString(),
    };
    await units.store.update(claimed.key, later, claimed.revision);
    await units.settlement.markDelivered(claimed, 'OPS-1');
    expect(await units.read(claimed.key)).toMatchObject({
      state: 'delivered',
      result_ref: 'OPS-1',
    });
    expect(logs.lines.map((l) => l.message).join('\n')).not.toContain('taken over');

    const { units: other, claimed: taken } = await claimedAlert();
    const theirs = { ...taken.value, claimed_by: 'w2', attempts: taken.value.attempts + 1 };
    await other.store.update(taken.key, theirs, taken.revision);
    await other.settlement.markDelivered(taken, 'OPS-2');
    expect(await other.read(taken.key)).toMatchObject({ state: 'sending', claimed_by: 'w2' });
    expect(logs.lines.map((l) => l.message).join('\n')).toContain('taken over');
  });
});
