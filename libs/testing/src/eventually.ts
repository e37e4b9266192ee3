import { scaledTimeout, testTimeFactor } from './scaled-timeout';

/**
 * Polls until `check` returns true, or throws after `timeoutMs` — stretched by the machine's
 * load (scaledTimeout), so a wait sized for a quiet laptop holds on a loaded 2-core runner.
 * `timeoutMs` is what the work takes with room on a quiet machine, not a ceiling.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<void> {
  const factor = testTimeFactor();
  const budget = scaledTimeout(timeoutMs);
  const deadline = Date.now() + budget;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${budget} ms (${timeoutMs} ms × load factor ${factor.toFixed(2)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
