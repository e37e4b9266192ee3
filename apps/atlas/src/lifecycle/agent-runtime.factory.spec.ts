import { type LivenessConfig } from '@opscrew/config';
import { createAgentRuntime } from './agent-runtime.factory';

function liveness(
  on_stale: LivenessConfig['on_stale'],
  kind: LivenessConfig['runtime']['kind'],
): LivenessConfig {
  return {
    check_interval_s: 10,
    on_stale,
    runtime: { kind },
    restart_loop: { max_restarts: 3, window_minutes: 15 },
  };
}

describe('createAgentRuntime', () => {
  it('picks the adapter of liveness.runtime.kind', () => {
    expect(createAgentRuntime(liveness('notify_and_restart', 'supervisor'), undefined).kind).toBe(
      'supervisor',
    );
    expect(createAgentRuntime(liveness('notify_and_restart', 'docker'), undefined).kind).toBe(
      'docker',
    );
    expect(createAgentRuntime(liveness('notify_and_restart', 'none'), undefined).kind).toBe('none');
  });

  it('on_stale notify never restarts, whatever the kind', async () => {
    const runtime = createAgentRuntime(liveness('notify', 'docker'), undefined);
    expect(runtime.kind).toBe('none');
    expect(await runtime.restart('ops-monitor')).toMatchObject({ status: 'unsupported' });
  });
});
