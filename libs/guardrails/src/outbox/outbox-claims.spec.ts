import { eventually } from '@opscrew/testing';
import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { outboxUnits, unitAlert, unitDraft } from './testing/outbox-units';

describe('OutboxClaims', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  it('claims a due item by CAS: one claimant wins, the stale one gets null', async () => {
    const units = outboxUnits();
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const claimed = await units.claims.claim(item);
    expect(claimed?.value).toMatchObject({
      state: 'sending',
      attempts: 1,
      claimed_by: 'w1',
      claim_expires_at: new Date(units.clock.now() + 30_000).toISOString(),
    });
    expect(await units.claims.claim(item)).toBeNull();
    if (claimed !== null) await units.claims.settleClaim(claimed);
  });

  it('renews a claim through the scheduler until it is settled', async () => {
    // A 30 ms TTL: renewed every 10 ms of real time.
    const units = outboxUnits({ claim_ttl_ms: 30 });
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const claimed = await units.claims.claim(item);
    if (claimed === null) throw new Error('not claimed');
    expect(units.scheduler.getIntervals()).toHaveLength(1);
    const first = claimed.revision;
    units.clock.advance(1000);
    await eventually(() => claimed.revision > first, 5000, 5);
    // Renewals move the claim's expiry on from the clock, and keep `claimed` current.
    expect((await units.read(claimed.key))?.claim_expires_at).toBe(
      new Date(units.clock.now() + 30).toISOString(),
    );
    await units.claims.settleClaim(claimed);
    expect(units.scheduler.getIntervals()).toEqual([]);
    expect(units.claims.heldKeys()).toEqual([]);
  });

  it('says so when a renewal finds the claim taken', async () => {
    const units = outboxUnits({ claim_ttl_ms: 30 });
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const claimed = await units.claims.claim(item);
    if (claimed === null) throw new Error('not claimed');
    await units.store.update(claimed.key, { ...claimed.value, claimed_by: 'w2' }, claimed.revision);
    await eventually(() => logs.at('warn').join('\n').includes('lost the claim'), 5000, 5);
    await units.claims.stopRenewals(true);
  });

  it('hands its claims back on shutdown: not an attempt, unless the call was abandoned', async () => {
    const units = outboxUnits({ ambiguous_create_retry_min_ms: 10_000 });
    const alert = await units.claims.claim(
      await units.enqueue({ kind: 'notify', notification: unitAlert(1) }),
    );
    const create = await units.claims.claim(
      await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) }),
    );
    if (alert === null || create === null) throw new Error('not claimed');
    await units.claims.stopRenewals(true);
    const now = units.clock.now();
    await units.claims.releaseAll(await units.store.scan(), new Set([create.key]));
    expect(await units.read(alert.key)).toMatchObject({
      state: 'pending',
      attempts: 0,
      next_attempt_at: new Date(now).toISOString(),
    });
    const released = await units.read(create.key);
    expect(released).toMatchObject({
      state: 'pending',
      attempts: 1,
      next_attempt_at: new Date(now + 10_000).toISOString(),
    });
    expect(released?.claimed_by).toBeUndefined();
    expect(logs.at('log').join('\n')).toContain('released 2 claim(s) on shutdown');
  });

  it('calls a claim sure to hold only while renewals keep more than half its TTL ahead', async () => {
    const units = outboxUnits();
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const claimed = await units.claims.claim(item);
    if (claimed === null) throw new Error('not claimed');
    expect(units.claims.stillHeld(claimed)).toBe(true);
    // No renewal landed (the bus is away): past half the TTL the claim is no longer sure.
    units.clock.advance(units.options.claim_ttl_ms / 2 - 1);
    expect(units.claims.stillHeld(claimed)).toBe(true);
    units.clock.advance(2);
    expect(units.claims.stillHeld(claimed)).toBe(false);
    // Another worker's claim is never ours.
    expect(
      units.claims.stillHeld({ ...claimed, value: { ...claimed.value, claimed_by: 'w2' } }),
    ).toBe(false);
    await units.claims.settleClaim(claimed);
  });

  it('adopts its own renewal whose reply was lost instead of calling the claim lost', async () => {
    const units = outboxUnits();
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const claimed = await units.claims.claim(item);
    if (claimed === null) throw new Error('not claimed');
    const stored = {
      ...claimed.value,
      claim_expires_at: new Date(units.clock.now() + 7).toISOString(),
    };
    const revision = await units.store.update(claimed.key, stored, claimed.revision);
    expect(await units.claims.reconcile(claimed)).toBe(true);
    expect(claimed.revision).toBe(revision);
    // Another attempt (a takeover and back) is not ours to adopt.
    const again = { ...claimed.value, attempts: claimed.value.attempts + 1 };
    await units.store.update(claimed.key, again, claimed.revision);
    expect(await units.claims.reconcile({ ...claimed })).toBe(false);
    await units.claims.settleClaim(claimed);
  });
});
