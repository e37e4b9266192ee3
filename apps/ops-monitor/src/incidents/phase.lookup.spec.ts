import { PHASE_CACHE_MS, PhaseLookup } from './phase.lookup';

describe('PhaseLookup', () => {
  it('asks the ledger once per PHASE_CACHE_MS per incident', async () => {
    const asked: string[] = [];
    let phase = 'open';
    const lookup = new PhaseLookup({
      get: (id: string) => {
        asked.push(id);
        return Promise.resolve({ phase } as never);
      },
    });
    const at = (ms: number): Date => new Date(Date.parse('2026-03-02T10:00:00Z') + ms);
    expect(await lookup.phaseOf('INC-1', at(0))).toBe('open');
    phase = 'resolved';
    expect(await lookup.phaseOf('INC-1', at(PHASE_CACHE_MS - 1))).toBe('open');
    expect(await lookup.phaseOf('INC-1', at(PHASE_CACHE_MS))).toBe('resolved');
    expect(asked).toEqual(['INC-1', 'INC-1']);
  });
});
