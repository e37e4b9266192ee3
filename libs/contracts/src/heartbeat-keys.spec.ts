import { heartbeatKey, isReplicaId, parseHeartbeatKey } from './heartbeat-keys';
import { isKvKey } from './kv-buckets';

describe('heartbeat keys', () => {
  it('is `<agent>.<replica>`, a valid KV key, and parses back', () => {
    const key = heartbeatKey('ops-monitor', 'host-1234');
    expect(key).toBe('ops-monitor.host-1234');
    expect(isKvKey(key)).toBe(true);
    expect(parseHeartbeatKey(key)).toEqual({ agent: 'ops-monitor', replica: 'host-1234' });
  });

  it('reads the key from before replicas as the replica named after the agent', () => {
    expect(parseHeartbeatKey('atlas')).toEqual({ agent: 'atlas', replica: 'atlas' });
  });

  it('refuses what is not ours: other names, dotted or upper-case replicas', () => {
    expect(parseHeartbeatKey('nobody.x')).toBeNull();
    expect(parseHeartbeatKey('atlas.a.b')).toBeNull();
    expect(parseHeartbeatKey('atlas.A')).toBeNull();
    expect(() => heartbeatKey('atlas', 'a.b')).toThrow(/not a replica id/);
  });

  it('takes DNS labels as replica ids', () => {
    expect(isReplicaId('ops-monitor-7c9f-x2')).toBe(true);
    expect(isReplicaId('-x')).toBe(false);
    expect(isReplicaId('x'.repeat(64))).toBe(false);
  });
});
