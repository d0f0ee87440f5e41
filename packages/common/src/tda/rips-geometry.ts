// The Rips filtration's geometry for the H1 reduction: distances, threshold, the combinatorial number system for
// triangles, and every vertex's other vertices sorted by distance, so that the cofacets of an edge up to a given
// diameter can be listed without scanning all n vertices.

/** How many vertices zeroPivotCofacetVertex tries from the top before it turns to the sorted neighbour lists. */
const DOWNWARD_SCAN_STEPS = 32;

/** Low mantissa bits of a sort key that carry the vertex number (the distance keeps the other 52 - bits). */
function vertexBits(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
}

export class RipsGeometry {
  /** binomial(v, 1), binomial(v, 2), binomial(v, 3) */
  readonly c1: Float64Array;
  readonly c2: Float64Array;
  readonly c3: Float64Array;
  /**
   * Row a: the vertices sorted by distance from a (`neighbour`), and the sort keys (`neighbourKey`): the distance
   * with its lowest mantissa bits replaced by the vertex number, which sorts natively and never exceeds the
   * distance rounded up in those bits. Built on first use.
   */
  private neighbour: Int32Array | null = null;
  private neighbourKey: Float64Array | null = null;
  private readonly mask: number;
  private readonly boundScratch = new Float64Array(1);
  private readonly boundWords = new Uint32Array(this.boundScratch.buffer);

  constructor(
    readonly n: number,
    readonly d: Float64Array,
    readonly threshold: number,
  ) {
    this.c1 = new Float64Array(n + 1);
    this.c2 = new Float64Array(n + 1);
    this.c3 = new Float64Array(n + 1);
    for (let v = 0; v <= n; v++) {
      this.c1[v] = v;
      this.c2[v] = (v * (v - 1)) / 2;
      this.c3[v] = (v * (v - 1) * (v - 2)) / 6;
    }
    this.mask = 2 ** vertexBits(n) - 1;
  }

  /** Index of triangle {a > b, k} in the combinatorial number system. */
  triangleIndex(a: number, b: number, k: number): number {
    const { c2, c3 } = this;
    return k > a ? c3[k] + c2[a] + b : k > b ? c3[a] + c2[k] + b : c3[a] + c2[b] + k;
  }

  /** The sorted neighbour lists (built once). */
  neighbours(): { neighbour: Int32Array; key: Float64Array } {
    if (!this.neighbour || !this.neighbourKey) {
      const { n, d, mask } = this;
      const key = new Float64Array(n * n);
      const words = new Uint32Array(key.buffer);
      for (let i = 0; i < n * n; i++) {
        key[i] = d[i];
        words[2 * i] = ((words[2 * i] & ~mask) | i % n) >>> 0; // little-endian: low word first
      }
      for (let a = 0; a < n; a++) key.subarray(a * n, (a + 1) * n).sort();
      const neighbour = new Int32Array(n * n);
      for (let i = 0; i < n * n; i++) neighbour[i] = words[2 * i] & mask;
      this.neighbour = neighbour;
      this.neighbourKey = key;
    }
    return { neighbour: this.neighbour, key: this.neighbourKey };
  }

  /** The largest sort key of any distance <= t (t >= 0, finite): scan a row while key <= scanBound(t). */
  scanBound(t: number): number {
    if (t === Infinity) return Infinity;
    this.boundScratch[0] = t;
    this.boundWords[0] = (this.boundWords[0] | this.mask) >>> 0;
    return this.boundScratch[0];
  }

  /** A lower bound of the distance a sort key stands for (its vertex bits cleared). */
  keyFloor(key: number): number {
    this.boundScratch[0] = key;
    this.boundWords[0] = (this.boundWords[0] & ~this.mask) >>> 0;
    return this.boundScratch[0];
  }

  /** Number of entries of row a with key <= bound (binary search). */
  private prefixLength(a: number, bound: number): number {
    const { key } = this.neighbours();
    let lo = 0;
    let hi = this.n;
    const base = a * this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key[base + mid] <= bound) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The added vertex of the first cofacet in decreasing index order (the largest k) of edge (a > b) whose diameter
   * equals the edge's, i.e. with d(a, k) <= diameter and d(b, k) <= diameter; -1 if none.
   */
  zeroPivotCofacetVertex(a: number, b: number, diameter: number): number {
    const { n, d } = this;
    const rowA = a * n;
    const rowB = b * n;
    // Long edges: scanning k downwards finds a common neighbour within a few steps.
    let k = n - 1;
    for (const stop = Math.max(-1, n - 1 - DOWNWARD_SCAN_STEPS); k > stop; k--) {
      if (k === a || k === b) continue;
      if (d[rowA + k] <= diameter && d[rowB + k] <= diameter) return k;
    }
    // Short edges: the candidates are the few vertices within `diameter` of the endpoint with fewer of them;
    // vertices above k were ruled out already.
    const bound = this.scanBound(diameter);
    const pa = this.prefixLength(a, bound);
    const pb = this.prefixLength(b, bound);
    const { neighbour } = this.neighbours();
    const [u, w] = pa <= pb ? [a, b] : [b, a];
    let best = -1;
    for (let i = u * n, end = u * n + Math.min(pa, pb); i < end; i++) {
      const v = neighbour[i];
      if (v > best && v <= k && v !== a && v !== b && d[u * n + v] <= diameter && d[w * n + v] <= diameter) best = v;
    }
    return best;
  }
}
