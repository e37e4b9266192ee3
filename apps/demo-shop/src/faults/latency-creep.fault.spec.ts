import { LATENCY_CREEP_MAX_MS, LatencyCreepFault } from './latency-creep.fault';

describe('LatencyCreepFault', () => {
  it('adds nothing until armed, then a delay growing 100 ms a second, capped', () => {
    let now = 1_000_000;
    const creep = new LatencyCreepFault(() => now);
    expect(creep.delayMs()).toBe(0);
    creep.arm();
    expect(creep.armed).toBe(true);
    expect(creep.delayMs()).toBe(0);
    now += 15_000;
    expect(creep.delayMs()).toBe(1_500);
    now += 1_000_000;
    expect(creep.delayMs()).toBe(LATENCY_CREEP_MAX_MS);
  });

  it('keeps its start when armed again; cleared, it starts over', () => {
    let now = 0;
    const creep = new LatencyCreepFault(() => now);
    creep.arm();
    now = 5_000;
    creep.arm();
    expect(creep.delayMs()).toBe(500);
    creep.clear();
    expect(creep.armed).toBe(false);
    expect(creep.delayMs()).toBe(0);
    creep.arm();
    now = 6_000;
    expect(creep.delayMs()).toBe(100);
  });
});
