// A binary min-heap of simplices keyed by (diameter ascending, index descending): the order in which a
// coboundary's pivot (its earliest simplex in the filtration) is found. Typed arrays, no per-entry objects.

export class SimplexHeap {
  diam = new Float64Array(1024);
  index = new Float64Array(1024);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  /** Appends without restoring the heap order; call heapify() after a batch of appends. */
  append(diameter: number, index: number): void {
    if (this.size === this.diam.length) this.grow();
    this.diam[this.size] = diameter;
    this.index[this.size] = index;
    this.size++;
  }

  push(diameter: number, index: number): void {
    this.append(diameter, index);
    this.siftUp(this.size - 1);
  }

  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Removes the top entry (the heap must not be empty). */
  pop(): void {
    const last = --this.size;
    if (last > 0) {
      this.diam[0] = this.diam[last];
      this.index[0] = this.index[last];
      this.siftDown(0);
    }
  }

  /**
   * Cancels equal top entries in pairs (coefficients in Z/2) and leaves the surviving pivot on top.
   * Returns false when the column is zero. A copy of the root, if any, is one of its children.
   */
  settlePivot(): boolean {
    while (this.size > 0) {
      const top = this.index[0];
      if ((this.size > 1 && this.index[1] === top) || (this.size > 2 && this.index[2] === top)) {
        this.pop();
        this.pop();
        continue;
      }
      return true;
    }
    return false;
  }

  private less(i: number, j: number): boolean {
    const di = this.diam[i];
    const dj = this.diam[j];
    return di < dj || (di === dj && this.index[i] > this.index[j]);
  }

  private siftUp(i: number): void {
    const d = this.diam[i];
    const x = this.index[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const dp = this.diam[p];
      if (dp < d || (dp === d && this.index[p] >= x)) break;
      this.diam[i] = dp;
      this.index[i] = this.index[p];
      i = p;
    }
    this.diam[i] = d;
    this.index[i] = x;
  }

  private siftDown(i: number): void {
    const n = this.size;
    const d = this.diam[i];
    const x = this.index[i];
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(c + 1, c)) c++;
      const dc = this.diam[c];
      if (d < dc || (d === dc && x >= this.index[c])) break;
      this.diam[i] = dc;
      this.index[i] = this.index[c];
      i = c;
    }
    this.diam[i] = d;
    this.index[i] = x;
  }

  private grow(): void {
    const diam = new Float64Array(this.diam.length * 2);
    diam.set(this.diam);
    const index = new Float64Array(this.index.length * 2);
    index.set(this.index);
    this.diam = diam;
    this.index = index;
  }
}
