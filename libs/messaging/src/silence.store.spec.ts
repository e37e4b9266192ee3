import { type CommandRequester, SilenceRecord } from '@opscrew/contracts';
import { seededRandom } from '@opscrew/testing';
import { FakeKv } from './testing/fake-kv';
import { MAX_SILENCE_MS, SilenceRefusedError, SilenceStore, silenceKey } from './silence.store';
import { TypedKv } from './typed-kv';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const BY: CommandRequester = { via: 'discord', id: '284735193749618688', name: 'alice' };
const at = (ms: number): Date => new Date(NOW.getTime() + ms);
const MIN = 60_000;

function store(): { silences: SilenceStore; kv: TypedKv<SilenceRecord> } {
  const kv = new TypedKv(new FakeKv('silences').asKv(), 'silences', { class: SilenceRecord });
  return { silences: new SilenceStore(kv), kv };
}

describe('SilenceStore', () => {
  it('silences a service until its end, exclusive, then treats it as gone', async () => {
    const { silences } = store();
    const record = await silences.silence('cart', at(30 * MIN), 'db migration', BY, NOW);
    expect(record).toEqual({
      service: 'cart',
      since: NOW.toISOString(),
      until: at(30 * MIN).toISOString(),
      reason: 'db migration',
      by: BY,
    });
    expect(await silences.isSilenced('cart', NOW)).toEqual(record);
    expect(await silences.isSilenced('cart', at(30 * MIN - 1))).toEqual(record);
    expect(await silences.isSilenced('cart', at(30 * MIN))).toBeNull();
    expect(await silences.isSilenced('ad', NOW)).toBeNull();
    expect(await silences.active(at(30 * MIN))).toEqual([]);
  });

  it('lists the windows on at a time, soonest end first, and a new window replaces the old', async () => {
    const { silences } = store();
    await silences.silence('cart', at(60 * MIN), undefined, BY, NOW);
    await silences.silence('ad', at(10 * MIN), '  ', BY, NOW);
    await silences.silence('shipping', at(5 * MIN), undefined, BY, NOW);
    expect((await silences.active(NOW)).map((s) => s.service)).toEqual(['shipping', 'ad', 'cart']);
    expect((await silences.active(at(6 * MIN))).map((s) => s.service)).toEqual(['ad', 'cart']);
    // A blank reason is no reason.
    expect((await silences.isSilenced('ad', NOW))?.reason).toBeUndefined();
    // Shortened: the new end wins.
    await silences.silence('cart', at(2 * MIN), undefined, BY, NOW);
    expect((await silences.active(at(3 * MIN))).map((s) => s.service)).toEqual(['shipping', 'ad']);
  });

  it('refuses a window that ends now or before, or lasts more than 7 days', async () => {
    const { silences } = store();
    await expect(silences.silence('cart', NOW, undefined, BY, NOW)).rejects.toThrow(
      SilenceRefusedError,
    );
    await expect(silences.silence('cart', at(-1), undefined, BY, NOW)).rejects.toThrow(
      /must end after now/,
    );
    await expect(
      silences.silence('cart', at(MAX_SILENCE_MS + 1), undefined, BY, NOW),
    ).rejects.toThrow(/at most 168 h \(7 d\)/);
    await expect(silences.silence('cart', at(MAX_SILENCE_MS), undefined, BY, NOW)).resolves.toEqual(
      expect.objectContaining({ until: at(MAX_SILENCE_MS).toISOString() }),
    );
  });

  it('ends a window early and says whether one was on', async () => {
    const { silences } = store();
    expect(await silences.end('cart', NOW)).toBeNull();
    await silences.silence('cart', at(MIN), undefined, BY, NOW);
    expect((await silences.end('cart', NOW))?.service).toBe('cart');
    expect(await silences.isSilenced('cart', NOW)).toBeNull();
    // An expired window is gone already: ending it reports none.
    await silences.silence('ad', at(MIN), undefined, BY, NOW);
    expect(await silences.end('ad', at(2 * MIN))).toBeNull();
  });

  it('cleans up ended windows only, keeping one renewed meanwhile', async () => {
    const { silences, kv } = store();
    await silences.silence('cart', at(MIN), undefined, BY, NOW);
    await silences.silence('ad', at(10 * MIN), undefined, BY, NOW);
    expect(await silences.cleanup(at(5 * MIN))).toEqual(['cart']);
    expect(await kv.get(silenceKey('cart'))).toBeNull();
    expect(await kv.get(silenceKey('ad'))).not.toBeNull();
    expect(await silences.cleanup(at(5 * MIN))).toEqual([]);
  });

  it('property: a service is silenced at t exactly when some window it was given last covers t', async () => {
    const random = seededRandom(7);
    for (let round = 0; round < 40; round++) {
      const { silences } = store();
      const services = ['cart', 'ad', 'shipping'];
      const last = new Map<string, number>();
      for (let i = 0; i < 6; i++) {
        const service = services[Math.floor(random() * services.length)] ?? 'cart';
        const end = 1 + Math.floor(random() * 120) * MIN;
        await silences.silence(service, at(end), undefined, BY, NOW);
        last.set(service, end);
      }
      const probe = Math.floor(random() * 130) * MIN;
      for (const service of services) {
        const end = last.get(service);
        const expected = end !== undefined && probe < end;
        expect({
          round,
          service,
          on: (await silences.isSilenced(service, at(probe))) !== null,
        }).toEqual({
          round,
          service,
          on: expected,
        });
      }
      const listed = (await silences.active(at(probe))).map((s) => s.service).sort();
      expect(listed).toEqual(services.filter((s) => (last.get(s) ?? -1) > probe).sort());
    }
  });
});
