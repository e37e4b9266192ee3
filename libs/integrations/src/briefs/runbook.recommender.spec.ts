import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { recommendRunbook } from './runbook.recommender';

const runbooks = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config.thresholds.runbooks;

describe('recommendRunbook', () => {
  it.each([
    ['high_error_rate', 'high_error_rate'],
    ['error_rate_drift', 'high_error_rate'],
    ['high_latency', 'high_latency'],
    ['latency_drift', 'high_latency'],
    ['container_crash', 'container_crash'],
    ['connection_pool_exhaustion', 'connection_pool_exhaustion'],
    ['high_memory', 'oom_kill'],
  ])('%s → %s', (symptom, expected) => {
    expect(recommendRunbook(symptom, runbooks)).toBe(expected);
  });

  it('says none when no runbook lists the symptom', () => {
    expect(recommendRunbook('traffic_drop', runbooks)).toBeNull();
  });
});
