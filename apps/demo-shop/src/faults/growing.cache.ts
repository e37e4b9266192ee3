/**
 * A cache that never evicts: every `grow()` keeps one more entry for good.
 * It is the bug behind both the `memory_leak` fault and the
 * `recommendationCacheFailure` flag. Entries are written after allocation so
 * the memory is resident (it shows in RSS, as a real leak does), not merely
 * reserved; and looking something up in it costs time proportional to its
 * size, which is how the leak turns into latency.
 */
export class GrowingCache {
  private readonly entries: Buffer[] = [];
  private bytes = 0;

  constructor(
    /** Bytes retained per entry. */
    readonly entryBytes: number,
    /** Scan cost per entry (ms): the latency the cache adds to a lookup. */
    readonly scanMsPerEntry: number,
    /** The scan cost stops growing here: callers have long timed out by then. */
    readonly maxScanMs: number,
  ) {
    if (!(entryBytes > 0) || !Number.isSafeInteger(entryBytes)) {
      throw new RangeError(`entryBytes must be a positive integer, got ${entryBytes}`);
    }
  }

  /** Keeps one more entry (resident: every byte written). */
  grow(): void {
    // allocUnsafe + fill: a zero-filled allocation may stay untouched (calloc'd pages) and
    // never reach RSS; writing every byte makes the leak visible where memory is measured.
    this.entries.push(Buffer.allocUnsafe(this.entryBytes).fill(0xa5));
    this.bytes += this.entryBytes;
  }

  /** How long a lookup takes now (ms), capped at maxScanMs. */
  scanDelayMs(): number {
    return Math.min(this.maxScanMs, this.entries.length * this.scanMsPerEntry);
  }

  get size(): number {
    return this.entries.length;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  /** Lets everything go (the garbage collector returns it to the OS in its own time). */
  clear(): void {
    this.entries.length = 0;
    this.bytes = 0;
  }
}
