import { type DetectionConfig, loadConfig, type ThresholdsConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type MetricsSnapshot } from '@opscrew/integrations';
import { type DetectionResult } from './anomaly';
import { DetectionEngine } from './detection.engine';
import { dependsOnShop, shopSeries } from './testing/shop-series.fixture';
import { type UsualLevels } from './usual-levels.store';

const thresholds: ThresholdsConfig = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config
  .thresholds;

/** Drift is left out: its own persistence is DriftRegistry's (drift-persistence.service.spec). */
const engineWith = (detection: DetectionConfig = thresholds.detection): DetectionEngine =>
  new DetectionEngine(thresholds.alerting, detection, null, dependsOnShop);

const run = (engine: DetectionEngine, series: readonly MetricsSnapshot[]): DetectionResult[] =>
  series.map((snapshot) => engine.evaluate(snapshot, new Set()));

/** As it travels through the learning bucket. */
const throughJson = (levels: UsualLevels[]): UsualLevels[] =>
  JSON.parse(JSON.stringify(levels)) as UsualLevels[];

const CYCLES = 90;
const TAKEOVER = 60;
/** Calm cycles before the takeover: what is cycle-relative (held symptoms, trouble) is empty. */
const CALM = { from: TAKEOVER - 4, to: TAKEOVER };

describe('DetectionEngine usual levels across a takeover', () => {
  it('an engine adopting another one’s usual levels gives the verdicts of the engine that never stopped', () => {
    let blamedOnElevation = 0;
    let relative = 0;
    let differsWithoutThem = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const series = shopSeries(seed, CYCLES, CALM);
      const before = series.slice(0, TAKEOVER);
      const after = series.slice(TAKEOVER);
      const unstopped = engineWith();
      const calm = run(unstopped, before).slice(CALM.from);
      expect(calm.flatMap((result) => result.anomalies)).toEqual([]);
      const expected = run(unstopped, after);

      const leader = engineWith();
      run(leader, before);
      const successor = engineWith();
      successor.adoptUsualLevels(throughJson(leader.usualLevels()));
      const got = run(successor, after);
      expect(got).toEqual(expected);

      const anomalies = expected.flatMap((result) => result.anomalies);
      blamedOnElevation += anomalies.filter(
        (a) => a.rule === 'dependency' && a.detail.includes('its usual'),
      ).length;
      relative += anomalies.filter((a) => a.rule === 'relative').length;
      if (JSON.stringify(run(engineWith(), after)) !== JSON.stringify(expected))
        differsWithoutThem++;
    }
    // The property is about something: blame on an elevated dependency and relative verdicts
    // occur after the takeover, and an engine starting empty would have judged otherwise.
    expect(blamedOnElevation).toBeGreaterThan(0);
    expect(relative).toBeGreaterThan(0);
    expect(differsWithoutThem).toBeGreaterThan(0);
  });

  it('keeps the newest values within today’s config: the same verdicts as an engine that always had it', () => {
    const smaller: DetectionConfig = {
      ...thresholds.detection,
      relative: { ...thresholds.detection.relative, reference_cycles: 3 },
      culprit: { ...thresholds.detection.culprit, baseline_windows: 7 },
    };
    for (let seed = 31; seed <= 45; seed++) {
      const series = shopSeries(seed, CYCLES, CALM);
      const leader = engineWith();
      run(leader, series.slice(0, TAKEOVER));
      const unstopped = engineWith(smaller);
      run(unstopped, series.slice(0, TAKEOVER));

      const successor = engineWith(smaller);
      successor.adoptUsualLevels(leader.usualLevels());
      for (const levels of successor.usualLevels()) {
        expect(levels.recent.length).toBeLessThanOrEqual(3);
        expect(levels.usual_latency_ms.length).toBeLessThanOrEqual(7);
        expect(levels.usual_error_ratio.length).toBeLessThanOrEqual(7);
      }
      expect(successor.usualLevels()).toEqual(unstopped.usualLevels());
      expect(run(successor, series.slice(TAKEOVER))).toEqual(
        run(unstopped, series.slice(TAKEOVER)),
      );
    }
  });

  it('replaces what it remembered from an earlier term; exports nothing for a service never measured', () => {
    const engine = engineWith();
    run(engine, shopSeries(3, 20, { from: 0, to: 20 }));
    expect(engine.usualLevels().map((levels) => levels.service)).toEqual([
      'frontend',
      'checkout',
      'shipping',
    ]);
    const saved: UsualLevels = {
      service: 'shipping',
      recent: [{ error_rate_ratio: 0.002, latency_p99_ms: null }],
      usual_latency_ms: [120, 130],
      usual_error_ratio: [0.002],
    };
    engine.adoptUsualLevels([saved]);
    expect(engine.usualLevels()).toEqual([saved]);
  });
});
