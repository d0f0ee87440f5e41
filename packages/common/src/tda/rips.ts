// Vietoris-Rips persistence in dimensions 0 and 1, following Ripser (Bauer 2021): union-find for H0, then
// persistent cohomology with clearing for H1, where triangles are integers in the combinatorial number system
// (never materialised), cofacets are enumerated on the fly and apparent / emergent pairs skip most reductions.
// Beyond Ripser, an edge's cofacets are listed lazily in order of distance from one endpoint (working-column.ts),
// which needs every vertex's neighbours sorted by distance: memory is about 20 n^2 bytes with the distances.
import {
  enclosingRadius,
  pairwiseDistances,
  toDistanceMatrix,
  type DistanceMatrix,
  type PointMatrix,
} from './distances';
import { RipsGeometry } from './rips-geometry';
import { WorkingColumn } from './working-column';
import type { PersistenceDiagram, PersistencePair } from './types';

export interface RipsOptions {
  /** Highest homology dimension, 0 or 1 (default 1). */
  maxDim?: number;
  /** Largest edge length in the complex (default: all edges; the enclosing radius is used when smaller). */
  threshold?: number;
}

/** Points as arrays or a PointMatrix, or an explicit distance matrix ({size, distances} or `{distanceMatrix}`). */
export type RipsInput =
  | readonly (readonly number[])[]
  | PointMatrix
  | DistanceMatrix
  | { distanceMatrix: readonly (readonly number[])[] };

function toDistances(input: RipsInput): DistanceMatrix {
  if ('distances' in input && 'size' in input) {
    if (input.distances.length !== input.size * input.size)
      throw new Error(`distance matrix: expected ${input.size}^2 entries, got ${input.distances.length}`);
    return input;
  }
  if ('distanceMatrix' in input) return toDistanceMatrix(input.distanceMatrix);
  return pairwiseDistances(input as readonly (readonly number[])[] | PointMatrix);
}

/**
 * Persistence diagrams of the Vietoris-Rips filtration (filtration value = edge length) for dimensions 0..maxDim,
 * equal to GUDHI's RipsComplex(max_edge_length=inf) persistence. Pairs with death == birth are dropped; essential
 * classes have death Infinity. Each diagram is sorted by birth, then death.
 */
export function ripsPersistence(input: RipsInput, options: RipsOptions = {}): PersistenceDiagram[] {
  const maxDim = options.maxDim ?? 1;
  if (maxDim !== 0 && maxDim !== 1) throw new Error(`ripsPersistence: maxDim must be 0 or 1, got ${maxDim}`);
  const requested = options.threshold ?? Infinity;
  if (!(requested >= 0)) throw new Error(`ripsPersistence: threshold must be >= 0, got ${requested}`);
  const dm = toDistances(input);
  const threshold = dm.size === 0 ? requested : Math.min(requested, enclosingRadius(dm));
  const rips = new RipsFiltration(dm, threshold);
  const { h0, columns } = rips.computeH0(maxDim >= 1);
  const diagrams: PersistenceDiagram[] = [{ dim: 0, pairs: sortPairs(h0) }];
  if (maxDim >= 1) diagrams.push({ dim: 1, pairs: sortPairs(rips.computeH1(columns)) });
  return diagrams;
}

function sortPairs(pairs: PersistencePair[]): PersistencePair[] {
  return pairs.sort((p, q) => p[0] - q[0] || (p[1] === q[1] ? 0 : p[1] < q[1] ? -1 : 1));
}

/** Edges to reduce for H1, in reverse filtration order (diameter descending, index ascending). */
interface EdgeColumns {
  count: number;
  a: Int32Array;
  b: Int32Array;
  diam: Float64Array;
}

class RipsFiltration {
  private readonly n: number;
  private readonly d: Float64Array;
  private readonly g: RipsGeometry;

  constructor(
    dm: DistanceMatrix,
    private readonly threshold: number,
  ) {
    this.n = dm.size;
    this.d = dm.distances;
    this.g = new RipsGeometry(this.n, this.d, threshold);
  }

  /** Kruskal over the edges in filtration order; non-merging edges that are not apparent become H1 columns. */
  computeH0(wantColumns: boolean): { h0: PersistencePair[]; columns: EdgeColumns } {
    const { n, d, threshold } = this;
    let m = 0;
    for (let a = 1; a < n; a++) for (let b = 0; b < a; b++) if (d[a * n + b] <= threshold) m++;
    // Edges listed by decreasing index, then stably sorted by diameter: ties end up in decreasing index order.
    const ea = new Int32Array(m);
    const eb = new Int32Array(m);
    const ed = new Float64Array(m);
    let k = 0;
    for (let a = n - 1; a >= 1; a--)
      for (let b = a - 1; b >= 0; b--) {
        const x = d[a * n + b];
        if (x <= threshold) {
          ea[k] = a;
          eb[k] = b;
          ed[k++] = x;
        }
      }
    const order = sortByDiameter(ed);

    const parent = new Int32Array(n);
    const rank = new Uint8Array(n);
    for (let i = 0; i < n; i++) parent[i] = i;
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
      }
      return x;
    };

    const h0: PersistencePair[] = [];
    const ca = new Int32Array(m);
    const cb = new Int32Array(m);
    const cd = new Float64Array(m);
    let count = 0;
    for (let t = 0; t < m; t++) {
      const e = order[t];
      const a = ea[e];
      const b = eb[e];
      const diameter = ed[e];
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) {
        if (diameter > 0) h0.push([0, diameter]);
        if (rank[ra] < rank[rb]) parent[ra] = rb;
        else {
          parent[rb] = ra;
          if (rank[ra] === rank[rb]) rank[ra]++;
        }
      } else if (wantColumns && !this.hasZeroApparentCofacet(a, b, diameter)) {
        ca[count] = a;
        cb[count] = b;
        cd[count++] = diameter;
      }
    }
    for (let i = 0; i < n; i++) if (find(i) === i) h0.push([0, Infinity]);
    // Reverse into reverse filtration order.
    ca.subarray(0, count).reverse();
    cb.subarray(0, count).reverse();
    cd.subarray(0, count).reverse();
    return { h0, columns: { count, a: ca, b: cb, diam: cd } };
  }

  /** Reduces the coboundary matrix column by column with clearing implicit (edges paired in H0 are never columns). */
  computeH1(columns: EdgeColumns): PersistencePair[] {
    const { n } = this;
    const pairs: PersistencePair[] = [];
    const column = new WorkingColumn(this.g);
    const pivotColumn = new Map<number, number>();
    // Stored reduction columns (edges as a*n+b) beyond each column's own edge.
    const reductionStart: number[] = [0];
    const reductionEdges: number[] = [];
    const working: number[] = [];

    for (let j = 0; j < columns.count; j++) {
      const a = columns.a[j];
      const b = columns.b[j];
      const birth = columns.diam[j];
      working.length = 0;
      column.clear(birth);
      column.addEdge(a, b);
      // Emergent pair: the first cofacet of equal diameter (the pivot) is not yet a pivot and not apparent. Its
      // death equals the birth, so nothing is reported and the reduction column stays empty.
      if (column.settlePivot() && column.pivotDiameter === birth) {
        const index = column.pivotIndex;
        if (!pivotColumn.has(index) && this.zeroApparentFacet(index, birth) < 0) {
          pivotColumn.set(index, j);
          reductionStart.push(reductionEdges.length);
          continue;
        }
      }
      while (true) {
        if (!column.settlePivot()) {
          pairs.push([birth, Infinity]);
          break;
        }
        const pivotIndex = column.pivotIndex;
        const pivotDiam = column.pivotDiameter;
        const other = pivotColumn.get(pivotIndex);
        if (other !== undefined) {
          this.addCoboundary(columns.a[other] * n + columns.b[other], column, working);
          for (let r = reductionStart[other]; r < reductionStart[other + 1]; r++)
            this.addCoboundary(reductionEdges[r], column, working);
          continue;
        }
        const facet = this.zeroApparentFacet(pivotIndex, pivotDiam);
        if (facet >= 0) {
          // The pivot is paired apparently with `facet`, whose column was never stored: add its coboundary instead.
          this.addCoboundary(facet, column, working);
          continue;
        }
        if (pivotDiam > birth) pairs.push([birth, pivotDiam]);
        pivotColumn.set(pivotIndex, j);
        appendCancelled(working, reductionEdges);
        break;
      }
      reductionStart.push(reductionEdges.length);
    }
    return pairs;
  }

  /** Adds the coboundary of an edge (a*n+b, a > b) to the working column and the edge to the reduction column. */
  private addCoboundary(edge: number, column: WorkingColumn, working: number[]): void {
    const a = Math.floor(edge / this.n);
    working.push(edge);
    column.addEdge(a, edge - a * this.n);
  }

  /** The edge (a*n+b, a > b) paired apparently with triangle `index` of the given diameter, or -1. */
  private zeroApparentFacet(index: number, diameter: number): number {
    const { c2, c3 } = this.g;
    // Decode the triangle's vertices x > y > z: x is the largest with c3[x] <= index, then y likewise with c2.
    let lo = 2;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c3[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    const x = lo;
    let rest = index - c3[x];
    lo = 1;
    hi = x - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c2[mid] <= rest) lo = mid;
      else hi = mid - 1;
    }
    const y = lo;
    rest -= c2[y];
    return this.zeroApparentFacetOf(x, y, rest, diameter);
  }

  /**
   * Triangle {p, q, r} (any order) of the given diameter: its facet edge (a*n+b) if the two form an apparent pair
   * (the facet is the triangle's latest facet of equal diameter and the triangle is that facet's earliest cofacet
   * of equal diameter), else -1.
   */
  private zeroApparentFacetOf(p: number, q: number, r: number, diameter: number): number {
    // Sort to x > y > z.
    const x = Math.max(p, q, r);
    const z = Math.min(p, q, r);
    const y = p + q + r - x - z;
    const { n, d } = this;
    // Facets in increasing index order: (y, z), (x, z), (x, y).
    if (d[y * n + z] === diameter) return this.g.zeroPivotCofacetVertex(y, z, diameter) === x ? y * n + z : -1;
    if (d[x * n + z] === diameter) return this.g.zeroPivotCofacetVertex(x, z, diameter) === y ? x * n + z : -1;
    if (d[x * n + y] === diameter) return this.g.zeroPivotCofacetVertex(x, y, diameter) === z ? x * n + y : -1;
    return -1;
  }

  /** True when edge (a > b) is paired apparently with a triangle of equal diameter (a zero-length H1 pair). */
  private hasZeroApparentCofacet(a: number, b: number, diameter: number): boolean {
    const k = this.g.zeroPivotCofacetVertex(a, b, diameter);
    if (k < 0) return false;
    // The triangle's pivot facet is its first facet of equal diameter in increasing index order (y, z), (x, z),
    // (x, y). If that is (a, b), whose pivot cofacet is the triangle by construction, the pair is apparent.
    const { n, d } = this;
    const x = Math.max(a, k);
    const z = Math.min(b, k);
    const y = a + b + k - x - z;
    const first = d[y * n + z] === diameter ? y * n + z : d[x * n + z] === diameter ? x * n + z : x * n + y;
    return first === a * n + b;
  }
}

/** Appends the edges of `working` that occur an odd number of times (Z/2 coefficients). */
function appendCancelled(working: number[], out: number[]): void {
  if (working.length === 0) return;
  working.sort((x, y) => x - y);
  for (let i = 0; i < working.length; ) {
    let j = i;
    while (j < working.length && working[j] === working[i]) j++;
    if ((j - i) & 1) out.push(working[i]);
    i = j;
  }
}

/** Stable LSD radix sort of non-negative doubles by their IEEE bit patterns (which order like the values). */
function sortByDiameter(values: Float64Array): Uint32Array {
  const m = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * m);
  let order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  let next = new Uint32Array(m);
  const counts = new Uint32Array(65537);
  // Digits from least to most significant: low word (2 halves), then high word (2 halves).
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? 0 : 1;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[((words[2 * i + word] >>> shift) & 0xffff) + 1]++;
    if (counts[((words[word] >>> shift) & 0xffff) + 1] === m) continue; // every key has the same digit
    for (let v = 0; v < 65536; v++) counts[v + 1] += counts[v];
    for (let i = 0; i < m; i++) {
      const e = order[i];
      next[counts[(words[2 * e + word] >>> shift) & 0xffff]++] = e;
    }
    [order, next] = [next, order];
  }
  return order;
}
