// The working coboundary column of the H1 reduction: a multiset of triangles (coefficients in Z/2) from which the
// pivot, the earliest triangle in the filtration order (diameter ascending, index descending), is taken again and
// again. Typed arrays, no per-entry objects.
//
// Most pushed triangles are far later than the final pivot and never reach the top, so entries above a moving
// bound `tau` wait unsorted in an overflow buffer; only entries <= tau are kept in a binary heap. All copies of a
// triangle have the same diameter, so they are always on the same side of tau and cancel in the heap.

export class WorkingColumn {
  private heapDiam: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private heapIndex = new Float64Array(1024);
  private heapSize = 0;
  private overDiam = new Float64Array(1024);
  private overIndex = new Float64Array(1024);
  private overSize = 0;
  private tau = 0;
  /** Fraction of the overflow moved to the heap at the next refill; doubles at each refill of a column. */
  private refillShift = 5;
  private readonly sample = new Float64Array(64);

  /** Empties the column; entries with diameter <= tau go straight to the heap. */
  clear(tau: number): void {
    this.heapSize = 0;
    this.overSize = 0;
    this.tau = tau;
    this.refillShift = 5;
  }

  /** Makes room for `extra` more entries, so that push may be called that many times. */
  reserve(extra: number): void {
    if (this.heapSize + extra > this.heapDiam.length) {
      const size = 2 * (this.heapSize + extra);
      this.heapDiam = grow(this.heapDiam, size);
      this.heapIndex = grow(this.heapIndex, size);
    }
    if (this.overSize + extra > this.overDiam.length) {
      const size = 2 * (this.overSize + extra);
      this.overDiam = grow(this.overDiam, size);
      this.overIndex = grow(this.overIndex, size);
    }
  }

  /** Adds one triangle (after reserve()). */
  push(diameter: number, index: number): void {
    if (diameter > this.tau) {
      const i = this.overSize++;
      this.overDiam[i] = diameter;
      this.overIndex[i] = index;
      return;
    }
    const hd = this.heapDiam;
    const hx = this.heapIndex;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const dp = hd[p];
      if (dp < diameter || (dp === diameter && hx[p] >= index)) break;
      hd[i] = dp;
      hx[i] = hx[p];
      i = p;
    }
    hd[i] = diameter;
    hx[i] = index;
  }

  /**
   * Pushes the cofacets {a, b, k} of edge (a, b) for k = kHigh down to kLow whose diameter, the maximum of
   * `diameter`, d[rowA + k] and d[rowB + k], is <= threshold; their index is base + table[k] (after reserve()).
   */
  pushCofacets(d: Float64Array, rowA: number, rowB: number, diameter: number, threshold: number, kHigh: number, kLow: number, table: Float64Array, base: number): void {
    const hd = this.heapDiam;
    const hx = this.heapIndex;
    const od = this.overDiam;
    const ox = this.overIndex;
    const tau = this.tau;
    let heapSize = this.heapSize;
    let overSize = this.overSize;
    for (let k = kHigh; k >= kLow; k--) {
      let x = diameter;
      const da = d[rowA + k];
      const db = d[rowB + k];
      if (da > x) x = da;
      if (db > x) x = db;
      if (x > threshold) continue;
      const index = base + table[k];
      if (x > tau) {
        od[overSize] = x;
        ox[overSize++] = index;
        continue;
      }
      let i = heapSize++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        const dp = hd[p];
        if (dp < x || (dp === x && hx[p] >= index)) break;
        hd[i] = dp;
        hx[i] = hx[p];
        i = p;
      }
      hd[i] = x;
      hx[i] = index;
    }
    this.heapSize = heapSize;
    this.overSize = overSize;
  }

  /**
   * Cancels copies of the pivot in pairs until a pivot survives; returns false when the column is zero.
   * A copy of the heap's root, if any, is one of its children (equal keys).
   */
  settlePivot(): boolean {
    while (true) {
      if (this.heapSize === 0 && !this.refill()) return false;
      const top = this.heapIndex[0];
      if ((this.heapSize > 1 && this.heapIndex[1] === top) || (this.heapSize > 2 && this.heapIndex[2] === top)) {
        this.pop();
        this.pop();
        continue;
      }
      return true;
    }
  }

  /** The pivot's diameter and index (after settlePivot() returned true). */
  get pivotDiameter(): number {
    return this.heapDiam[0];
  }

  get pivotIndex(): number {
    return this.heapIndex[0];
  }

  private pop(): void {
    const last = --this.heapSize;
    if (last > 0) {
      this.heapDiam[0] = this.heapDiam[last];
      this.heapIndex[0] = this.heapIndex[last];
      this.siftDown(0);
    }
  }

  /** Raises tau to about a quantile of the overflow (estimated from a sample) and moves entries <= tau to the heap. */
  private refill(): boolean {
    const m = this.overSize;
    if (m === 0) return false;
    const od = this.overDiam;
    const ox = this.overIndex;
    const s = Math.min(this.sample.length, m);
    const stride = Math.floor(m / s);
    for (let i = 0; i < s; i++) this.sample[i] = od[i * stride];
    const sorted = this.sample.subarray(0, s).sort();
    // A sampled value is an actual entry, so at least one entry moves.
    this.tau = sorted[Math.min(s - 1, s >> this.refillShift)];
    if (this.refillShift > 0) this.refillShift--;
    let kept = 0;
    for (let i = 0; i < m; i++) {
      const x = od[i];
      if (x <= this.tau) {
        this.heapDiam[this.heapSize] = x;
        this.heapIndex[this.heapSize++] = ox[i];
      } else {
        od[kept] = x;
        ox[kept++] = ox[i];
      }
    }
    this.overSize = kept;
    for (let i = (this.heapSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
    return true;
  }

  private siftDown(i: number): void {
    const hd = this.heapDiam;
    const hx = this.heapIndex;
    const n = this.heapSize;
    const d = hd[i];
    const x = hx[i];
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (hd[c + 1] < hd[c] || (hd[c + 1] === hd[c] && hx[c + 1] > hx[c]))) c++;
      const dc = hd[c];
      if (d < dc || (d === dc && x >= hx[c])) break;
      hd[i] = dc;
      hx[i] = hx[c];
      i = c;
    }
    hd[i] = d;
    hx[i] = x;
  }
}

function grow(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}
