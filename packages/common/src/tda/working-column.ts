// The working coboundary column of the H1 reduction: the sum (coefficients in Z/2) of the coboundaries of a few
// edges, from which the pivot, the earliest triangle in the filtration order (diameter ascending, index descending),
// is taken again and again. Typed arrays, no per-entry objects.
//
// Most cofacets of an added edge come far later than the final pivot, so they are listed lazily: below a moving
// bound `tau` every cofacet is in a binary heap; each edge remembers how far along its first vertex's sorted
// neighbour list it has listed (cofacets further on have diameter > tau), and cofacets already listed but above tau
// wait unsorted in an overflow buffer. When the heap cancels out, tau grows (the window above the column's birth
// doubles) and the edges and the overflow catch up. All copies of a triangle have the same diameter, so they are
// on the same side of tau and cancel in the heap.
import type { RipsGeometry } from './rips-geometry';

export class WorkingColumn {
  private heapDiam: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private heapIndex: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private heapSize = 0;
  private overDiam: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private overIndex: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private overSize = 0;
  /** Edges added to the column and how far their cofacets have been listed. */
  private edgeA: Int32Array<ArrayBuffer> = new Int32Array(64);
  private edgeB: Int32Array<ArrayBuffer> = new Int32Array(64);
  private edgePos: Int32Array<ArrayBuffer> = new Int32Array(64);
  private edgeCount = 0;
  private birth = 0;
  private tau = 0;
  private tauKey = 0;
  private readonly neighbour: Int32Array;
  private readonly key: Float64Array;
  private readonly thresholdKey: number;

  constructor(private readonly g: RipsGeometry) {
    const { neighbour, key } = g.neighbours();
    this.neighbour = neighbour;
    this.key = key;
    this.thresholdKey = g.scanBound(g.threshold);
  }

  /** Empties the column for a column of the given birth (no cofacet is earlier than the birth). */
  clear(birth: number): void {
    this.heapSize = 0;
    this.overSize = 0;
    this.edgeCount = 0;
    this.birth = birth;
    this.tau = birth;
    this.tauKey = this.g.scanBound(birth);
  }

  /** Adds the coboundary of edge (a > b). */
  addEdge(a: number, b: number): void {
    if (this.edgeCount === this.edgeA.length) {
      this.edgeA = growInt(this.edgeA);
      this.edgeB = growInt(this.edgeB);
      this.edgePos = growInt(this.edgePos);
    }
    const e = this.edgeCount++;
    this.edgeA[e] = a;
    this.edgeB[e] = b;
    this.edgePos[e] = 0;
    this.listCofacets(e);
  }

  /**
   * Cancels copies of the pivot in pairs until a pivot survives; returns false when the column is zero.
   * A copy of the heap's root, if any, is one of its children (equal keys).
   */
  settlePivot(): boolean {
    while (true) {
      while (this.heapSize === 0) if (!this.raiseTau()) return false;
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

  /** Lists the cofacets {a, b, k} of edge e whose k comes before tau in a's sorted neighbour list. */
  private listCofacets(e: number): void {
    const { g, neighbour, key } = this;
    const { n, d } = g;
    const a = this.edgeA[e];
    const b = this.edgeB[e];
    const rowA = a * n;
    const rowB = b * n;
    const diameter = d[rowA + b];
    const stop = Math.min(this.tauKey, this.thresholdKey);
    let pos = this.edgePos[e];
    this.reserve(n - pos);
    for (; pos < n && key[rowA + pos] <= stop; pos++) {
      const k = neighbour[rowA + pos];
      if (k === a || k === b) continue;
      let x = diameter;
      const da = d[rowA + k];
      const db = d[rowB + k];
      if (da > x) x = da;
      if (db > x) x = db;
      if (x > g.threshold) continue;
      this.push(x, g.triangleIndex(a, b, k));
    }
    this.edgePos[e] = pos;
  }

  private push(diameter: number, index: number): void {
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

  /** Raises tau past the next possible cofacet and brings the edges and the overflow up to it; false if none is left. */
  private raiseTau(): boolean {
    const { g, key } = this;
    const { n } = g;
    // The smallest diameter any unlisted or waiting cofacet can have.
    let next = Infinity;
    for (let i = 0; i < this.overSize; i++) if (this.overDiam[i] < next) next = this.overDiam[i];
    for (let e = 0; e < this.edgeCount; e++) {
      const pos = this.edgePos[e];
      const rowA = this.edgeA[e] * n;
      if (pos < n && key[rowA + pos] <= this.thresholdKey) next = Math.min(next, g.keyFloor(key[rowA + pos]));
    }
    if (next === Infinity) return false;
    this.tau = Math.max(next, this.birth + 2 * (this.tau - this.birth));
    this.tauKey = g.scanBound(this.tau);
    for (let e = 0; e < this.edgeCount; e++) this.listCofacets(e);
    this.reserve(this.overSize);
    let kept = 0;
    for (let i = 0; i < this.overSize; i++) {
      const x = this.overDiam[i];
      const index = this.overIndex[i];
      if (x <= this.tau) this.push(x, index);
      else {
        this.overDiam[kept] = x;
        this.overIndex[kept++] = index;
      }
    }
    this.overSize = kept;
    return true;
  }

  private reserve(extra: number): void {
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

  private pop(): void {
    const last = --this.heapSize;
    if (last > 0) {
      this.heapDiam[0] = this.heapDiam[last];
      this.heapIndex[0] = this.heapIndex[last];
      this.siftDown(0);
    }
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

function growInt(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
