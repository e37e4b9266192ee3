import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { interactionClaimSchema, InteractionReplays } from './interaction-replays';

describe('InteractionReplays', () => {
  it('lets one replica answer an interaction id once; a replay to another replica is refused', async () => {
    const kv = new TypedKv(
      new FakeKv('interactions').asKv(),
      'interactions',
      interactionClaimSchema,
    );
    const at = () => Date.parse('2026-12-07T07:00:00.000Z');
    const first = new InteractionReplays(kv, 'atlas-0', at);
    const second = new InteractionReplays(kv, 'atlas-1', at);
    expect(await first.claim('1300000000000000001')).toBe(true);
    expect(await second.claim('1300000000000000001')).toBe(false);
    expect(await first.claim('1300000000000000001')).toBe(false);
    expect(await second.claim('1300000000000000002')).toBe(true);
    expect((await kv.get('discord.1300000000000000001'))?.value).toEqual({
      replica: 'atlas-0',
      at: '2026-12-07T07:00:00.000Z',
    });
  });
});
