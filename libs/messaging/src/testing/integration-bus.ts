import { type BusOptions } from '../bus-options';
import { NatsConnectionService } from '../nats-connection.service';
import { provisionAll, type ProvisionReport } from '../topology.provisioner';
import { removeBusTopology } from '../topology.remover';

/** Bus options for a test: fail fast instead of waiting for a server forever. */
export function testBusOptions(url: string, namespace: string, name = 'opscrew-test'): BusOptions {
  return {
    servers: [url],
    name,
    namespace,
    wait_on_first_connect: false,
    // Tests restart connections on purpose: come back fast.
    reconnect: { initial_delay_ms: 50, max_delay_ms: 500 },
  };
}

export async function openTestBus(
  url: string,
  namespace: string,
  name?: string,
): Promise<{ bus: NatsConnectionService; report: ProvisionReport }> {
  const bus = new NatsConnectionService(testBusOptions(url, namespace, name));
  await bus.connect();
  const report = await provisionAll(await bus.jetstreamManager(), bus.subjects, {
    duplicate_window_ms: bus.options.duplicate_window_ms,
  });
  return { bus, report };
}

/** Deletes the namespaced stream and buckets a test created. */
export function removeTestTopology(bus: NatsConnectionService): Promise<void> {
  return removeBusTopology(bus);
}

// The one polling helper lives in the test kit (it scales its deadline with the load); it is
// re-exported here for the specs that have always found it beside the bus helpers.
export { eventually } from '@opscrew/testing';
