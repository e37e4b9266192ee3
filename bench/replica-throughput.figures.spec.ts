import { meetsTarget, replicaFigures } from './replica-throughput.figures';

describe('replicaFigures', () => {
  it('rates each round and compares it with the single-replica round', () => {
    const [one, two, three] = replicaFigures([
      { replicas: 1, incidents: 40, seconds: 8, cpu_s: 8 },
      { replicas: 2, incidents: 40, seconds: 4, cpu_s: 12 },
      { replicas: 3, incidents: 40, seconds: 10, cpu_s: 16 },
    ]);
    expect(one).toEqual({
      replicas: 1,
      incidents_per_s: 5,
      cpu_ms_per_incident: 200,
      speedup: 1,
      cost_growth: 1,
    });
    expect(two).toMatchObject({ incidents_per_s: 10, speedup: 2, cost_growth: 1.5 });
    expect(three).toMatchObject({ incidents_per_s: 4, speedup: 0.8, cost_growth: 2 });
  });

  it('gives a round that never finished no rate and no speedup', () => {
    const [, stuck] = replicaFigures([
      { replicas: 1, incidents: 10, seconds: 5, cpu_s: 1 },
      { replicas: 2, incidents: 10, seconds: null, cpu_s: 3 },
    ]);
    expect(stuck).toMatchObject({ incidents_per_s: null, speedup: null, cost_growth: 3 });
  });

  it('has no speedup without a finished single-replica round', () => {
    const [two] = replicaFigures([{ replicas: 2, incidents: 10, seconds: 5, cpu_s: 1 }]);
    expect(two).toMatchObject({ incidents_per_s: 2, speedup: null, cost_growth: null });
  });
});

describe('meetsTarget', () => {
  const figure = {
    replicas: 2,
    incidents_per_s: 5,
    cpu_ms_per_incident: 100,
    speedup: 1,
    cost_growth: 1.5,
  };
  const clean = { lost: 0, duplicates: 0 };

  it('passes a replicated round at least as fast as the single one', () => {
    expect(meetsTarget(figure, clean, 1)).toBe(true);
    expect(meetsTarget({ ...figure, speedup: 0.99 }, clean, 1)).toBe(false);
  });

  it('fails any round that lost or doubled something, however fast', () => {
    expect(meetsTarget({ ...figure, speedup: 3 }, { lost: 1, duplicates: 0 }, 1)).toBe(false);
    expect(meetsTarget({ ...figure, speedup: 3 }, { lost: 0, duplicates: 1 }, 1)).toBe(false);
  });

  it('fails a round that never finished', () => {
    expect(meetsTarget({ ...figure, incidents_per_s: null, speedup: null }, clean, 1)).toBe(false);
  });

  it('passes a finished single-replica round: it is the baseline', () => {
    expect(meetsTarget({ ...figure, replicas: 1, speedup: 1 }, clean, 1)).toBe(true);
  });
});
