/**
 * The last `capacity` items, oldest first: a process's log without the disk,
 * with a fixed memory bound however much it prints.
 */
export class LogRingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`log ring buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The newest `n` items (all when n ≥ size), oldest first. */
  tail(n: number): T[] {
    const count = Math.max(0, Math.min(n, this.size));
    const out: T[] = [];
    for (let i = count; i > 0; i--) {
      const item = this.items[(this.next - i + this.capacity) % this.capacity];
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  get length(): number {
    return this.size;
  }
}
