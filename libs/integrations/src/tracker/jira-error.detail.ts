/**
 * Jira's error body `{errorMessages: [], errors: {field: message}}` as one
 * line for a DeliveryError message; capped because Jira can echo long input.
 */
const DETAIL_MAX_LENGTH = 500;

export function jiraErrorDetail(body: unknown, fallbackText: string): string {
  const parts: string[] = [];
  if (typeof body === 'object' && body !== null) {
    const record = body as { errorMessages?: unknown; errors?: unknown; message?: unknown };
    if (Array.isArray(record.errorMessages)) {
      for (const message of record.errorMessages) {
        if (typeof message === 'string' && message !== '') parts.push(message);
      }
    }
    if (typeof record.errors === 'object' && record.errors !== null) {
      for (const [field, message] of Object.entries(record.errors as Record<string, unknown>)) {
        if (typeof message === 'string') parts.push(`${field}: ${message}`);
      }
    }
    if (parts.length === 0 && typeof record.message === 'string') parts.push(record.message);
  }
  if (parts.length === 0 && fallbackText.trim() !== '') {
    parts.push(fallbackText.trim().replace(/\s+/g, ' '));
  }
  const line = parts.join('; ');
  return line.length > DETAIL_MAX_LENGTH ? `${line.slice(0, DETAIL_MAX_LENGTH - 1)}…` : line;
}
