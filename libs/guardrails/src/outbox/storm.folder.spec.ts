import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { iso } from './outbox-item';
import { itemKey } from './outbox-keys';
import { StormFolder } from './storm.folder';
import { outboxUnits, unitAlert, unitDraft, type OutboxUnits } from './testing/outbox-units';

describe('StormFolder', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  const folder = (units: OutboxUnits): StormFolder =>
    new StormFolder(
      units.store,
      units.claims,
      units.settlement,
      units.notifyWindow,
      units.clock,
      units.options,
      units.logger,
      () => false,
    );
  const hold = async (units: OutboxUnits, ...items: Parameters<OutboxUnits['enqueue']>[0][]) => {
    for (const command of items) {
      await units.settlement.settle(await units.enqueue(command), 'held', {});
    }
  };

  it('releases a lone held alert to go out as itself', async () => {
    const units = outboxUnits();
    await hold(units, { kind: 'notify', notification: unitAlert(1) });
    expect(await folder(units).fold()).toBe(true);
    expect((await units.store.scan()).map((i) => i.value.state)).toEqual(['pending']);
  });

  it('folds held alerts and ticket creations into one due summary, once per window', async () => {
    const units = outboxUnits();
    const storm = folder(units);
    await hold(
      units,
      { kind: 'notify', notification: unitAlert(1) },
      { kind: 'ticket.create', draft: unitDraft(2) },
    );
    expect(await storm.fold()).toBe(true);
    const all = await units.store.scan();
    const summary = all.find((i) => i.value.notification?.kind === 'summary');
    expect(summary?.value).toMatchObject({ state: 'pending', folded_count: 2 });
    expect(summary?.value.claimed_by).toBeUndefined();
    expect(all.filter((i) => i.value.folded_into === summary?.key)).toHaveLength(2);
    expect(units.claims.heldKeys()).toEqual([]);
    // A summary already pending in this window: what is held next waits for the next one.
    await hold(
      units,
      { kind: 'notify', notification: unitAlert(3) },
      { kind: 'notify', notification: unitAlert(4) },
    );
    expect(await storm.fold()).toBe(false);
  });

  it('does not fold while the notification window is full', async () => {
    const units = outboxUnits({ notifications_per_window: 1 });
    await units.notifyWindow.reserve('other', units.clock.now());
    await hold(
      units,
      { kind: 'notify', notification: unitAlert(1) },
      { kind: 'notify', notification: unitAlert(2) },
    );
    expect(await folder(units).fold()).toBe(false);
  });

  it('finishes a summary whose assembler crashed once its claim lapsed, or drops an empty one', async () => {
    const units = outboxUnits();
    const at = iso(units.clock.now());
    const assembling = (idem: string) => ({
      kind: 'notify' as const,
      state: 'assembling' as const,
      idempotency_key: idem,
      created_at: at,
      updated_at: at,
      order: 1,
      attempts: 0,
      next_attempt_at: at,
      claimed_by: 'dead',
      claim_expires_at: iso(units.clock.now() + 1000),
      notification: {
        idempotency_key: idem,
        kind: 'summary' as const,
        severity: 'info' as const,
        title: 'x',
        text: '',
        fields: [],
      },
    });
    const full = itemKey('notify', 'summary:full');
    const empty = itemKey('notify', 'summary:empty');
    await units.store.create(full, assembling('summary:full'));
    await units.store.create(empty, assembling('summary:empty'));
    const alert = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    await units.settlement.settle(alert, 'folded', { folded_into: full });
    const storm = folder(units);
    await storm.recover(await units.store.scan(), units.clock.now());
    expect((await units.read(full))?.state).toBe('assembling');
    units.clock.advance(1000);
    await storm.recover(await units.store.scan(), units.clock.now());
    expect(await units.read(full)).toMatchObject({ state: 'pending', folded_count: 1 });
    expect(await units.read(empty)).toBeUndefined();
  });
});
