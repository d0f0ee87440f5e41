// A static 2-D kd-tree over a subset of points for L-infinity range queries with deletion, as used by the
// geometric Hopcroft-Karp of the bottleneck distance. The tree is implicit: the segment [lo, hi) of `ids` has its
// splitting point at mid = (lo + hi) >> 1, its left subtree in [lo, mid) and its right subtree in [mid + 1, hi);
// per-segment bounding boxes and alive counts are stored at mid.

// Module constants: global lookups in hot loops are slow inside vm contexts such as jest's.
const { abs, max, min } = Math;

export class PointTree {
  readonly size: number;
  private readonly ids: Int32Array;
  private readonly minX: Float64Array;
  private readonly maxX: Float64Array;
  private readonly minY: Float64Array;
  private readonly maxY: Float64Array;
  private readonly alive: Int32Array;
  private readonly full: Int32Array;
  private readonly removed: Uint8Array;
  /** Position of each point id in `ids` (-1 for points not in this tree). */
  private readonly position: Int32Array | null;

  constructor(
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
    ids: Int32Array,
    trackPositions = false,
  ) {
    const m = ids.length;
    this.size = m;
    this.ids = Int32Array.from(ids);
    this.minX = new Float64Array(m);
    this.maxX = new Float64Array(m);
    this.minY = new Float64Array(m);
    this.maxY = new Float64Array(m);
    this.alive = new Int32Array(m);
    this.full = new Int32Array(m);
    this.removed = new Uint8Array(m);
    this.build(0, m, 0);
    this.alive.set(this.full);
    if (trackPositions) {
      this.position = new Int32Array(xs.length).fill(-1);
      for (let p = 0; p < m; p++) this.position[this.ids[p]] = p;
    } else this.position = null;
  }

  /** Makes every point alive again. */
  restoreAll(): void {
    this.alive.set(this.full);
    this.removed.fill(0);
  }

  isAlive(id: number): boolean {
    const p = this.position ? this.position[id] : -1;
    return p >= 0 && this.removed[p] === 0;
  }

  /** Deletes point `id` (the tree must track positions and the point must be alive). */
  remove(id: number): void {
    const p = this.position![id];
    this.removed[p] = 1;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      this.alive[mid]--;
      if (p === mid) return;
      if (p < mid) hi = mid;
      else lo = mid + 1;
    }
  }

  /** Deletes all alive points within L-inf distance r of (qx, qy) and appends their ids to `out`. */
  takeWithin(qx: number, qy: number, r: number, out: number[]): void {
    this.take(0, this.size, qx, qy, r, out, false);
  }

  /** Deletes and returns one alive point within L-inf distance r of (qx, qy), or -1. */
  takeOneWithin(qx: number, qy: number, r: number, out: number[]): number {
    const before = out.length;
    this.take(0, this.size, qx, qy, r, out, true);
    return out.length > before ? out.pop()! : -1;
  }

  /** Calls `visit(id, distance)` for every point (alive or not) with lo <= L-inf distance <= hi from (qx, qy). */
  forEachInShell(qx: number, qy: number, lo: number, hi: number, visit: (id: number, distance: number) => void): void {
    this.shell(0, this.size, qx, qy, lo, hi, visit);
  }

  /** L-inf distance from (qx, qy) to the nearest point of the tree (Infinity when empty). */
  nearestDistance(qx: number, qy: number): number {
    return this.nearest(0, this.size, qx, qy, Infinity);
  }

  private build(lo: number, hi: number, depth: number): void {
    if (lo >= hi) return;
    const mid = (lo + hi) >> 1;
    const byX = (depth & 1) === 0;
    this.select(lo, hi - 1, mid, byX ? this.xs : this.ys);
    this.build(lo, mid, depth + 1);
    this.build(mid + 1, hi, depth + 1);
    const id = this.ids[mid];
    let x0 = this.xs[id];
    let x1 = x0;
    let y0 = this.ys[id];
    let y1 = y0;
    let count = 1;
    const children =
      lo < mid
        ? mid + 1 < hi
          ? [(lo + mid) >> 1, (mid + 1 + hi) >> 1]
          : [(lo + mid) >> 1]
        : mid + 1 < hi
          ? [(mid + 1 + hi) >> 1]
          : [];
    for (const child of children) {
      x0 = min(x0, this.minX[child]);
      x1 = max(x1, this.maxX[child]);
      y0 = min(y0, this.minY[child]);
      y1 = max(y1, this.maxY[child]);
      count += this.full[child];
    }
    this.minX[mid] = x0;
    this.maxX[mid] = x1;
    this.minY[mid] = y0;
    this.maxY[mid] = y1;
    this.full[mid] = count;
  }

  /** Quickselect: puts the k-th smallest (by key[id]) of ids[left..right] at position k. */
  private select(left: number, right: number, k: number, key: Float64Array): void {
    const ids = this.ids;
    while (right > left) {
      const pivot = key[ids[(left + right) >> 1]];
      let i = left;
      let j = right;
      while (i <= j) {
        while (key[ids[i]] < pivot) i++;
        while (key[ids[j]] > pivot) j--;
        if (i <= j) {
          const t = ids[i];
          ids[i++] = ids[j];
          ids[j--] = t;
        }
      }
      if (k <= j) right = j;
      else if (k >= i) left = i;
      else return;
    }
  }

  private take(lo: number, hi: number, qx: number, qy: number, r: number, out: number[], one: boolean): number {
    if (lo >= hi) return 0;
    const mid = (lo + hi) >> 1;
    if (this.alive[mid] === 0) return 0;
    // Pruning is exact: subtraction is monotone under rounding.
    if (qx - this.maxX[mid] > r || this.minX[mid] - qx > r || qy - this.maxY[mid] > r || this.minY[mid] - qy > r)
      return 0;
    let taken = 0;
    if (this.removed[mid] === 0) {
      const id = this.ids[mid];
      if (max(abs(qx - this.xs[id]), abs(qy - this.ys[id])) <= r) {
        this.removed[mid] = 1;
        out.push(id);
        taken = 1;
      }
    }
    if (!(one && taken)) {
      taken += this.take(lo, mid, qx, qy, r, out, one);
      if (!(one && taken)) taken += this.take(mid + 1, hi, qx, qy, r, out, one);
    }
    this.alive[mid] -= taken;
    return taken;
  }

  private shell(
    lo: number,
    hi: number,
    qx: number,
    qy: number,
    rLo: number,
    rHi: number,
    visit: (id: number, distance: number) => void,
  ): void {
    if (lo >= hi) return;
    const mid = (lo + hi) >> 1;
    const x0 = this.minX[mid];
    const x1 = this.maxX[mid];
    const y0 = this.minY[mid];
    const y1 = this.maxY[mid];
    if (qx - x1 > rHi || x0 - qx > rHi || qy - y1 > rHi || y0 - qy > rHi) return;
    // Every point of the box is closer than rLo: nothing in the shell.
    if (max(abs(qx - x0), abs(qx - x1)) < rLo && max(abs(qy - y0), abs(qy - y1)) < rLo) return;
    const id = this.ids[mid];
    const dist = max(abs(qx - this.xs[id]), abs(qy - this.ys[id]));
    if (dist >= rLo && dist <= rHi) visit(id, dist);
    this.shell(lo, mid, qx, qy, rLo, rHi, visit);
    this.shell(mid + 1, hi, qx, qy, rLo, rHi, visit);
  }

  private nearest(lo: number, hi: number, qx: number, qy: number, best: number): number {
    if (lo >= hi) return best;
    const mid = (lo + hi) >> 1;
    const gap = max(this.minX[mid] - qx, qx - this.maxX[mid], this.minY[mid] - qy, qy - this.maxY[mid], 0);
    if (gap >= best) return best;
    const id = this.ids[mid];
    best = min(best, max(abs(qx - this.xs[id]), abs(qy - this.ys[id])));
    best = this.nearest(lo, mid, qx, qy, best);
    return this.nearest(mid + 1, hi, qx, qy, best);
  }
}
