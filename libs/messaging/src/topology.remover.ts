import { BUCKET_NAMES } from '@opscrew/contracts';
import { type NatsConnectionService } from './nats-connection.service';
import { isStreamNotFound } from './nats-errors';
import { bucketStreamName } from './topology.provisioner';

/**
 * Deletes a namespace's streams (events, dead letters) and buckets: everything a throw-away bus
 * (a test run, a bench) created. Refuses the un-namespaced production bus.
 */
export async function removeBusTopology(bus: NatsConnectionService): Promise<void> {
  if (!bus.subjects.namespace) {
    throw new Error('bus: refusing to delete the topology of the un-namespaced (production) bus');
  }
  const jsm = await bus.jetstreamManager();
  const streams = [
    bus.subjects.stream(),
    // Deleting it also returns its max_bytes reservation to the JetStream store (NATS 2.9).
    bus.subjects.deadLetterStream(),
    ...BUCKET_NAMES.map((bucket) => bucketStreamName(bus.subjects.bucket(bucket))),
  ];
  for (const stream of streams) {
    await jsm.streams.delete(stream).catch((error: unknown) => {
      if (!isStreamNotFound(error)) throw error;
    });
  }
}
