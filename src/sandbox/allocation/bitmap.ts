/**
 * The used offsets of a range (kube's allocator.AllocationBitmap): a reference count per offset,
 * so that a value held by a stored object and reserved by a write in flight is freed only when
 * both let go. Finding the next free offset scans forward from a cursor that only moves on, so
 * filling the range costs O(1) amortised per allocation; a full range answers at once.
 */
export class OffsetBitmap {
  private readonly references: Uint16Array;
  private used = 0;
  private cursor: number;

  /** `start` is where the first scan begins (kube's dynamic allocations prefer the upper band). */
  constructor(
    readonly size: number,
    start = 0,
  ) {
    this.references = new Uint16Array(size);
    this.cursor = size === 0 ? 0 : start % size;
  }

  get free(): number {
    return this.size - this.used;
  }

  has(offset: number): boolean {
    return (this.references[offset] ?? 0) > 0;
  }

  /** Counts one more holder of `offset`. */
  hold(offset: number): void {
    const count = this.references[offset] ?? 0;
    if (count === 0) this.used += 1;
    // A count that would overflow stays saturated rather than wrap to "free".
    if (count < 0xffff) this.references[offset] = count + 1;
  }

  /** Counts one holder fewer; the offset is free again when none is left. */
  release(offset: number): void {
    const count = this.references[offset] ?? 0;
    if (count === 0) return;
    this.references[offset] = count - 1;
    if (count === 1) this.used -= 1;
  }

  /** The next free offset from the cursor (wrapping), held once; undefined when the range is full. */
  holdNext(): number | undefined {
    if (this.used >= this.size) return undefined;
    let offset = this.cursor;
    while ((this.references[offset] ?? 0) > 0) offset = offset + 1 === this.size ? 0 : offset + 1;
    this.hold(offset);
    this.cursor = offset + 1 === this.size ? 0 : offset + 1;
    return offset;
  }
}
