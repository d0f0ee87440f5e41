// Exact bottleneck distance between persistence diagrams (the value GUDHI returns with e=0).
//
// Essential points (death = Infinity) are matched separately. The finite points form the usual bipartite graph
// U = A + projections of B, V = B + projections of A (L-inf costs, projection to projection 0, a point to its own
// diagonal projection max(|b - m|, |d - m|) with m = (b + d) / 2, as GUDHI computes it). Matching a point to another
// point's projection is never needed, so those edges are left out. "Is there a perfect matching with edges <= r?"
// is Hopcroft-Karp with neighbours found by 2-D kd-trees with deletion (Efrat, Itai and Katz). The answer is first
// bracketed to a relative width of 1e-3 by bisection (as Hera does), then found exactly by binary search over the
// candidate distances inside the bracket, so the value returned is one of the candidate edge lengths. The matching
// is kept from one decision to the next, minus the edges longer than the new radius.
import { PointTree } from './point-tree';
import { assertValidPairs, diagonalCost, essentialCost, splitFiniteAndEssential, type PairLike } from './types';

const BRACKET_RELATIVE_WIDTH = 1e-3;

/**
 * Exact bottleneck distance between two diagrams of one dimension. Points on the diagonal are ignored, essential
 * points are matched among themselves (different counts give Infinity), below-diagonal points are rejected.
 */
export function bottleneckDistance(a: readonly PairLike[], b: readonly PairLike[]): number {
  assertValidPairs(a, 'bottleneckDistance: first diagram');
  assertValidPairs(b, 'bottleneckDistance: second diagram');
  const da = splitFiniteAndEssential(a);
  const db = splitFiniteAndEssential(b);
  const essential = essentialCost(da.essential, db.essential, Infinity);
  if (essential === Infinity) return Infinity;
  return Math.max(essential, finiteBottleneck(offDiagonal(da.births, da.deaths), offDiagonal(db.births, db.deaths)));
}

interface Points {
  x: Float64Array;
  y: Float64Array;
  /** L-inf distance to the point's own diagonal projection. */
  own: Float64Array;
}

/** Drops points on the diagonal (death - birth <= 0), as GUDHI does. */
function offDiagonal(births: Float64Array, deaths: Float64Array): Points {
  const keep: number[] = [];
  for (let i = 0; i < births.length; i++) if (deaths[i] - births[i] > 0) keep.push(i);
  const x = Float64Array.from(keep, (i) => births[i]);
  const y = Float64Array.from(keep, (i) => deaths[i]);
  return { x, y, own: x.map((b, i) => diagonalCost(b, y[i])) };
}

function maxOf(values: Float64Array): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

function finiteBottleneck(A: Points, B: Points): number {
  if (A.x.length === 0) return maxOf(B.own);
  if (B.x.length === 0) return maxOf(A.own);
  const matcher = new BottleneckMatcher(A, B);

  // Bracket: every point goes to the diagonal or to its nearest point of the other diagram (lower bound);
  // everything to the diagonal is a perfect matching (upper bound).
  let lo = Math.max(nearestBound(A, B), nearestBound(B, A));
  let hi = Math.max(maxOf(A.own), maxOf(B.own));
  while (hi - lo > BRACKET_RELATIVE_WIDTH * hi) {
    const mid = lo + (hi - lo) / 2;
    if (matcher.decide(mid)) hi = mid;
    else lo = mid;
  }
  const candidates = candidateDistances(A, B, lo, hi);
  let first = 0;
  let last = candidates.length - 1;
  while (first < last) {
    const mid = (first + last) >> 1;
    if (matcher.decide(candidates[mid])) last = mid;
    else first = mid + 1;
  }
  return candidates[first];
}

function nearestBound(P: Points, Q: Points): number {
  const tree = new PointTree(
    Q.x,
    Q.y,
    Int32Array.from(Q.x, (_, i) => i),
  );
  let bound = 0;
  for (let i = 0; i < P.x.length; i++)
    bound = Math.max(bound, Math.min(P.own[i], tree.nearestDistance(P.x[i], P.y[i])));
  return bound;
}

/** Sorted distinct edge lengths in [lo, hi]: point-to-point L-inf distances and point-to-own-projection costs. */
function candidateDistances(A: Points, B: Points, lo: number, hi: number): Float64Array {
  const values: number[] = [];
  for (const own of [A.own, B.own]) for (const c of own) if (c >= lo && c <= hi) values.push(c);
  const tree = new PointTree(
    B.x,
    B.y,
    Int32Array.from(B.x, (_, i) => i),
  );
  const push = (_: number, distance: number): void => {
    values.push(distance);
  };
  for (let i = 0; i < A.x.length; i++) tree.forEachInShell(A.x[i], A.y[i], lo, hi, push);
  const sorted = Float64Array.from(values).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i];
  return sorted.subarray(0, k);
}

/**
 * The bipartite matching between U = [A points, projections of B] and V = [B points, projections of A], kept
 * between decisions. U node i < n1 is A_i, U node n1 + j is the projection of B_j; V node j < n2 is B_j,
 * V node n2 + i is the projection of A_i.
 */
class BottleneckMatcher {
  private readonly n1: number;
  private readonly n2: number;
  private readonly matchU: Int32Array;
  private readonly matchV: Int32Array;
  private readonly layerU: Int32Array;
  private readonly layerV: Int32Array;
  private readonly treeB: PointTree;
  private readonly projections: ProjectionPool;
  private matched = 0;

  constructor(
    private readonly A: Points,
    private readonly B: Points,
  ) {
    this.n1 = A.x.length;
    this.n2 = B.x.length;
    const size = this.n1 + this.n2;
    this.matchU = new Int32Array(size).fill(-1);
    this.matchV = new Int32Array(size).fill(-1);
    this.layerU = new Int32Array(size);
    this.layerV = new Int32Array(size);
    this.treeB = new PointTree(
      B.x,
      B.y,
      Int32Array.from(B.x, (_, i) => i),
      true,
    );
    this.projections = new ProjectionPool(this.n1);
  }

  /** Is there a perfect matching using only edges of length <= r? */
  decide(r: number): boolean {
    const size = this.n1 + this.n2;
    for (let u = 0; u < size; u++) {
      const v = this.matchU[u];
      if (v >= 0 && this.cost(u, v) > r) {
        this.matchU[u] = -1;
        this.matchV[v] = -1;
        this.matched--;
      }
    }
    while (this.matched < size) {
      const augmented = this.phase(r);
      if (augmented === 0) return false;
      this.matched += augmented;
    }
    return true;
  }

  private cost(u: number, v: number): number {
    const { n1, n2, A, B } = this;
    if (u < n1) {
      if (v < n2) return Math.max(Math.abs(A.x[u] - B.x[v]), Math.abs(A.y[u] - B.y[v]));
      return v - n2 === u ? A.own[u] : Infinity;
    }
    if (v < n2) return v === u - n1 ? B.own[v] : Infinity;
    return 0;
  }

  /** One Hopcroft-Karp phase: BFS layers from the free U nodes, then disjoint shortest augmenting paths. */
  private phase(r: number): number {
    const finalLayer = this.buildLayers(r);
    if (finalLayer < 0) return 0;
    return this.augmentAlongLayers(r, finalLayer);
  }

  /** Returns the layer of the first free V nodes reached, or -1 if there is none. */
  private buildLayers(r: number): number {
    const { n1, n2, A, B, matchU, matchV, layerU, layerV, treeB, projections } = this;
    layerU.fill(-1);
    layerV.fill(-1);
    treeB.restoreAll();
    projections.fillAll();
    let frontier: number[] = [];
    for (let u = 0; u < n1 + n2; u++)
      if (matchU[u] < 0) {
        layerU[u] = 0;
        frontier.push(u);
      }
    const found: number[] = [];
    let layer = 0;
    let reachedFree = false;
    while (frontier.length > 0 && !reachedFree) {
      const next: number[] = [];
      for (const u of frontier) {
        found.length = 0;
        if (u < n1) {
          treeB.takeWithin(A.x[u], A.y[u], r, found);
          if (A.own[u] <= r && projections.has(u)) {
            projections.remove(u);
            found.push(n2 + u);
          }
        } else {
          const j = u - n1;
          if (B.own[j] <= r && treeB.isAlive(j)) {
            treeB.remove(j);
            found.push(j);
          }
          projections.takeAll(found, n2);
        }
        for (const v of found) {
          layerV[v] = layer + 1;
          const w = matchV[v];
          if (w < 0) reachedFree = true;
          else {
            layerU[w] = layer + 1;
            next.push(w);
          }
        }
      }
      layer++;
      frontier = next;
    }
    return reachedFree ? layer : -1;
  }

  /** Finds vertex-disjoint augmenting paths in the layered graph (iterative DFS) and applies them. */
  private augmentAlongLayers(r: number, finalLayer: number): number {
    const { n1, n2, A, B, matchU, matchV, layerU, layerV } = this;
    // Per-layer pools of V nodes: a kd-tree of B points and a pool of A projections.
    const bIds: number[][] = Array.from({ length: finalLayer + 1 }, () => []);
    const pIds: number[][] = Array.from({ length: finalLayer + 1 }, () => []);
    for (let v = 0; v < n1 + n2; v++) {
      const l = layerV[v];
      if (l > 0) (v < n2 ? bIds : pIds)[l].push(v < n2 ? v : v - n2);
    }
    const trees = bIds.map((ids) => (ids.length > 0 ? new PointTree(B.x, B.y, Int32Array.from(ids), true) : null));
    const pools = new LayeredProjectionPools(n1, pIds);
    const scratch: number[] = [];

    const neighbourInLayer = (u: number, l: number): number => {
      if (l > finalLayer) return -1;
      const tree = trees[l];
      if (u < n1) {
        if (layerV[n2 + u] === l && A.own[u] <= r && pools.has(u)) {
          pools.remove(u, l);
          return n2 + u;
        }
        return tree ? tree.takeOneWithin(A.x[u], A.y[u], r, scratch) : -1;
      }
      const j = u - n1;
      if (tree && layerV[j] === l && B.own[j] <= r && tree.isAlive(j)) {
        tree.remove(j);
        return j;
      }
      const i = pools.takeAny(l);
      return i < 0 ? -1 : n2 + i;
    };

    let augmented = 0;
    const pathU: number[] = [];
    const pathV: number[] = [];
    for (let start = 0; start < n1 + n2; start++) {
      if (layerU[start] !== 0 || matchU[start] >= 0) continue;
      pathU.length = 0;
      pathV.length = 0;
      pathU.push(start);
      while (pathU.length > 0) {
        const u = pathU[pathU.length - 1];
        const l = layerU[u] + 1;
        const v = neighbourInLayer(u, l);
        if (v < 0) {
          layerU[u] = -1; // dead end for the rest of this phase
          pathU.pop();
          pathV.pop();
          continue;
        }
        const w = matchV[v];
        if (w < 0) {
          pathV.push(v);
          for (let k = 0; k < pathU.length; k++) {
            matchU[pathU[k]] = pathV[k];
            matchV[pathV[k]] = pathU[k];
          }
          augmented++;
          break;
        }
        if (layerU[w] === l) {
          pathV.push(v);
          pathU.push(w);
        }
      }
    }
    return augmented;
  }
}

/** The projections of A as a set with O(1) removal and "take all" (every one is a neighbour of every B projection). */
class ProjectionPool {
  private readonly items: Int32Array;
  private readonly position: Int32Array;
  private count = 0;

  constructor(private readonly size: number) {
    this.items = new Int32Array(size);
    this.position = new Int32Array(size);
  }

  fillAll(): void {
    for (let i = 0; i < this.size; i++) {
      this.items[i] = i;
      this.position[i] = i;
    }
    this.count = this.size;
  }

  has(i: number): boolean {
    return this.position[i] >= 0;
  }

  remove(i: number): void {
    const p = this.position[i];
    const last = this.items[--this.count];
    this.items[p] = last;
    this.position[last] = p;
    this.position[i] = -1;
  }

  /** Appends offset + i for every remaining i to `out` and empties the pool. */
  takeAll(out: number[], offset: number): void {
    for (let k = 0; k < this.count; k++) {
      out.push(offset + this.items[k]);
      this.position[this.items[k]] = -1;
    }
    this.count = 0;
  }
}

/** Projections of A grouped by BFS layer, each group a set with O(1) removal. */
class LayeredProjectionPools {
  private readonly items: Int32Array;
  private readonly position: Int32Array;
  private readonly start: Int32Array;
  private readonly count: Int32Array;

  constructor(size: number, byLayer: number[][]) {
    this.items = new Int32Array(size);
    this.position = new Int32Array(size).fill(-1);
    this.start = new Int32Array(byLayer.length);
    this.count = new Int32Array(byLayer.length);
    let k = 0;
    byLayer.forEach((ids, l) => {
      this.start[l] = k;
      this.count[l] = ids.length;
      for (const i of ids) {
        this.items[k] = i;
        this.position[i] = k++;
      }
    });
  }

  has(i: number): boolean {
    return this.position[i] >= 0;
  }

  remove(i: number, layer: number): void {
    const p = this.position[i];
    const lastSlot = this.start[layer] + --this.count[layer];
    const last = this.items[lastSlot];
    this.items[p] = last;
    this.position[last] = p;
    this.position[i] = -1;
  }

  takeAny(layer: number): number {
    if (this.count[layer] === 0) return -1;
    const i = this.items[this.start[layer] + this.count[layer] - 1];
    this.count[layer]--;
    this.position[i] = -1;
    return i;
  }
}
