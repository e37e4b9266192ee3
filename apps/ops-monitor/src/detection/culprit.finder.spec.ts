import { CulpritFinder, type Trouble } from './culprit.finder';

const trouble = (kind: Trouble['kind'], ratio?: number): Trouble => ({
  kind,
  symptom: 'high_latency',
  severity: 'high',
  ...(ratio !== undefined ? { ratio } : {}),
  why: `${kind}${ratio ?? ''}`,
});

describe('CulpritFinder', () => {
  it('finds nothing when no dependency is in trouble', () => {
    const finder = new CulpritFinder(
      () => ['a', 'b'],
      () => undefined,
    );
    expect(finder.find('caller')).toBeNull();
  });

  it('prefers a restart in progress, then an own anomaly, then the most elevated dependency', () => {
    const graph: Record<string, string[]> = { caller: ['slow', 'slower', 'broken', 'restarting'] };
    const troubles: Record<string, Trouble> = {
      slow: trouble('elevated', 5),
      slower: trouble('elevated', 50),
      broken: trouble('anomaly'),
      restarting: trouble('restarting'),
    };
    const pick = (present: string[]): string | undefined =>
      new CulpritFinder(
        (service) => (graph[service] ?? []).filter((d) => present.includes(d)),
        (service) => troubles[service],
      ).find('caller')?.service;
    expect(pick(['slow', 'slower', 'broken', 'restarting'])).toBe('restarting');
    expect(pick(['slow', 'slower', 'broken'])).toBe('broken');
    expect(pick(['slow', 'slower'])).toBe('slower');
  });

  it('follows the graph to the root and reports the path, never looping on a cycle', () => {
    const graph: Record<string, string[]> = {
      frontend: ['checkout'],
      checkout: ['shipping', 'frontend'],
      shipping: ['checkout'],
    };
    const troubles: Record<string, Trouble> = {
      checkout: trouble('anomaly'),
      shipping: trouble('elevated', 90),
      frontend: trouble('anomaly'),
    };
    const culprit = new CulpritFinder(
      (service) => graph[service] ?? [],
      (service) => troubles[service],
    ).find('frontend');
    expect(culprit?.service).toBe('shipping');
    expect(culprit?.path).toEqual(['frontend', 'checkout', 'shipping']);
  });
});
