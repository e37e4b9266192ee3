import { clusteredCasRisk } from './clustered-cas';

describe('clusteredCasRisk', () => {
  it('warns for replicated streams on a server before 2.9.21 (nats-server#4320)', () => {
    expect(clusteredCasRisk('2.9.10', 3)).toMatch(
      /nats-server 2\.9\.10 does not serialize .* 3 copies/,
    );
    expect(clusteredCasRisk('v2.9.20', 2)).not.toBeNull();
  });

  it('is quiet at one copy, on a fixed server, or when the version is unknown', () => {
    expect(clusteredCasRisk('2.9.10', 1)).toBeNull();
    expect(clusteredCasRisk('2.9.21', 3)).toBeNull();
    expect(clusteredCasRisk('2.10.0', 3)).toBeNull();
    expect(clusteredCasRisk('2.11.4-beta.1', 3)).toBeNull();
    expect(clusteredCasRisk(undefined, 3)).toBeNull();
  });
});
