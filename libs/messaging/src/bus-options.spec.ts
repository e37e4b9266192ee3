import { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_RECONNECT, resolveBusOptions } from './bus-options';

describe('resolveBusOptions', () => {
  it('fills defaults', () => {
    const resolved = resolveBusOptions({ servers: ['nats://127.0.0.1:4222'], name: 'atlas' });
    expect(resolved.stream).toBe('OPS');
    expect(resolved.reconnect).toEqual(DEFAULT_RECONNECT);
    expect(resolved.duplicate_window_ms).toBe(DEFAULT_DUPLICATE_WINDOW_MS);
    expect(resolved.wait_on_first_connect).toBe(true);
    expect(resolved.replicas).toBe(1);
  });

  it('keeps 1 to 5 replicas and refuses any other count', () => {
    const base = { servers: ['nats://h'], name: 'x' };
    expect(resolveBusOptions({ ...base, replicas: 3 }).replicas).toBe(3);
    for (const replicas of [0, 6, 2.5]) {
      expect(() => resolveBusOptions({ ...base, replicas })).toThrow(
        'bus: replicas must be a whole number from 1 to 5',
      );
    }
  });

  it('refuses unusable values', () => {
    expect(() => resolveBusOptions({ servers: [], name: 'x' })).toThrow(/at least one server/);
    expect(() =>
      resolveBusOptions({
        servers: ['nats://h'],
        name: 'x',
        reconnect: { initial_delay_ms: 0, max_delay_ms: 1 },
      }),
    ).toThrow(/reconnect/);
    expect(() =>
      resolveBusOptions({
        servers: ['nats://h'],
        name: 'x',
        reconnect: { initial_delay_ms: 10, max_delay_ms: 5 },
      }),
    ).toThrow(/reconnect/);
    expect(() =>
      resolveBusOptions({ servers: ['nats://h'], name: 'x', duplicate_window_ms: 0 }),
    ).toThrow(/duplicate_window_ms/);
  });
});
