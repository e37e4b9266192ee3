/** Every bench prints one JSON object per line on stdout: machine-readable, diffable between runs. */
export function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...record, at: new Date().toISOString() })}\n`);
}

/** Nanosecond wall clock in milliseconds. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
