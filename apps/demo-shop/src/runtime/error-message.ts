/**
 * The message of anything thrown: an Error's message, else the value as text. The shop's own
 * copy of @opscrew/contracts' errorMessage: the shop is the system the crew watches and imports
 * nothing of the crew (scripts/lint/layers.js).
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
