import { busOptionsFromConfig } from '@opscrew/agent-core';
import { type OpscrewConfig } from '@opscrew/config';
import { NatsConnectionService, provisionAll } from '@opscrew/messaging';

/** A CLI (or a client that spawned us) must not hang when NATS is away: a few seconds, then say so. */
export const CLI_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The CLI's NATS connection: a bounded first connect with an error that says
 * where it looked and what to check, then the topology provisioned
 * (idempotent: a CLI used before any agent started still finds its stream and
 * buckets). Throws with that message; a connection it made is closed first.
 * The caller closes the returned one.
 */
export async function openCliBus(
  config: OpscrewConfig,
  name: string,
  timeoutMs = CLI_CONNECT_TIMEOUT_MS,
): Promise<NatsConnectionService> {
  const bus = new NatsConnectionService({
    ...busOptionsFromConfig(config.bus, name),
    wait_on_first_connect: false,
  });
  const where = `cannot reach NATS at ${config.bus.servers.join(', ')}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      bus.connect().catch((error: unknown) => {
        throw new Error(
          `${where}: ${(error as Error).message} (is nats-server -js running? NATS_URL points elsewhere)`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${where} within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    return bus;
  } catch (error) {
    await bus.close().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
