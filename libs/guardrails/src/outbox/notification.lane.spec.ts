import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { NotificationLane } from './notification.lane';
import { type OutboxOptions } from './outbox-options';
import { OutboxSweeper } from './outbox.sweeper';
import { StormFolder } from './storm.folder';
import { outboxUnits, unitAlert, type OutboxUnits } from './testing/outbox-units';

describe('NotificationLane', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  const lane = (
    overrides: Partial<OutboxOptions> = {},
  ): { units: OutboxUnits; lane: NotificationLane } => {
    const units = outboxUnits(overrides);
    const stopping = (): boolean => false;
    const folder = new StormFolder(
      units.store,
      units.claims,
      units.settlement,
      units.notifyWindow,
      units.clock,
      units.options,
      units.logger,
      stopping,
    );
    return {
      units,
      lane: new NotificationLane(
        units.store,
        units.claims,
        units.settlement,
        folder,
        new OutboxSweeper(units.store, units.options.retention_ms),
        units.notifyWindow,
        units.notifier,
        units.clock,
        stopping,
      ),
    };
  };

  it('sends a page first and outside the budget, alerts in order within it, holds the rest', async () => {
    const { units, lane: notifications } = lane({ notifications_per_window: 2 });
    for (let n = 1; n <= 3; n++)
      await units.enqueue({ kind: 'notify', notification: unitAlert(n) });
    await units.enqueue({
      kind: 'notify',
      notification: unitAlert(9, { idempotency_key: 'escalation:INC-9:L2', kind: 'escalation' }),
    });
    await notifications.pass();
    expect(units.notifier.sent.map((s) => s.idempotency_key)).toEqual([
      'escalation:INC-9:L2',
      unitAlert(1).idempotency_key,
      unitAlert(2).idempotency_key,
    ]);
    expect((await units.store.scan()).filter((i) => i.value.state === 'held')).toHaveLength(1);
  });

  it('once the window has room, sends what was held as one summary in the same pass', async () => {
    const { units, lane: notifications } = lane({ notifications_per_window: 1 });
    for (let n = 1; n <= 3; n++)
      await units.enqueue({ kind: 'notify', notification: unitAlert(n) });
    await notifications.pass();
    expect(units.notifier.sent).toHaveLength(1);
    units.clock.advance(units.options.notification_window_ms);
    await notifications.pass();
    expect(units.notifier.sent.map((s) => s.kind)).toEqual(['incident', 'summary']);
    expect(units.notifier.sent[1]?.text).toContain('held back 2 alert(s)');
  });

  it('never starts a send under a claim whose renewals stalled; sends it once when sure again', async () => {
    const { units, lane: notifications } = lane();
    await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    // The rate window's write hangs past half the claim's TTL and no renewal lands meanwhile
    // (a NATS node died): another replica may take the item over before a send would finish.
    const reserve = units.notifyWindow.reserve.bind(units.notifyWindow);
    const stalled = jest
      .spyOn(units.notifyWindow, 'reserve')
      .mockImplementationOnce(async (key, now) => {
        units.clock.advance(units.options.claim_ttl_ms * 0.6);
        return reserve(key, now);
      });
    await notifications.pass();
    expect(units.notifier.sent).toEqual([]);
    const [item] = await units.store.scan();
    expect(item?.value).toMatchObject({ state: 'pending', attempts: 0 });
    stalled.mockRestore();
    await notifications.pass();
    expect(units.notifier.sent.map((s) => s.idempotency_key)).toEqual([
      unitAlert(1).idempotency_key,
    ]);
  });
});
