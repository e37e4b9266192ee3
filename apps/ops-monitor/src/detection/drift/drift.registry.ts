import { type Logger } from '@nestjs/common';
import { type DriftRuleConfig } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { type MetricName } from '../anomaly';
import { DriftDetector } from './drift.detector';
import { type DriftSnapshot } from './drift-state.store';

/**
 * The detection engine's drift factory with a memory: every detector it hands out is kept (so
 * its state can be saved), and a detector asked for after `adopt` starts from the adopted
 * snapshot instead of from nothing. The engine asks for a detector the first time it scores a
 * service's metric, and again after `DetectionEngine.forgetDrift()`.
 */
export class DriftRegistry {
  private readonly live = new Map<
    string,
    { service: string; metric: MetricName; detector: DriftDetector }
  >();
  private restored = new Map<string, DriftSnapshot>();

  constructor(
    private readonly config: DriftRuleConfig,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** The engine's DriftFactory. */
  readonly create = (service: string, metric: MetricName): DriftDetector => {
    const key = `${service}\u0000${metric}`;
    const snapshot = this.restored.get(key);
    this.restored.delete(key);
    let detector: DriftDetector | null = null;
    if (snapshot !== undefined) {
      try {
        detector = DriftDetector.fromJSON(this.config, snapshot.state);
      } catch (err: unknown) {
        // A state saved under other windows (the config changed): relearn rather than misread.
        this.logger.warn(`drift state of ${service}/${metric} not restored: ${errorMessage(err)}`);
      }
    }
    detector ??= new DriftDetector(this.config);
    this.live.set(key, { service, metric, detector });
    return detector;
  };

  /** Snapshots to start from; forgets every live detector (the engine must forget them too). */
  adopt(snapshots: readonly DriftSnapshot[]): void {
    this.live.clear();
    this.restored = new Map(snapshots.map((s) => [`${s.service}\u0000${s.metric}`, s]));
  }

  /** What every live detector has learned, stamped `savedAt`. */
  snapshot(savedAt: string): DriftSnapshot[] {
    return [...this.live.values()].map(({ service, metric, detector }) => ({
      service,
      metric,
      saved_at: savedAt,
      state: detector.toJSON(),
    }));
  }
}
