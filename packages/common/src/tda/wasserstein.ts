// Exact p-Wasserstein distance between persistence diagrams with the L-inf ground metric (GUDHI's
// gudhi.wasserstein.wasserstein_distance with internal_p=inf and keep_essential_parts=True).
//
// The finite points form an (n1 + n2) x (n1 + n2) assignment problem: rows are the points of A and n2 diagonal
// slots, columns the points of B and n1 diagonal slots; a point goes to any diagonal slot at the cost of reaching
// its diagonal projection, slot to slot costs 0. It is solved by the Hungarian method in its shortest augmenting
// path form (Jonker-Volgenant / e-maxx, O(N^3)) with costs computed on the fly.
import { diagonalCost } from './bottleneck';
import { assertValidPairs, essentialCost, splitFiniteAndEssential, type PairLike } from './types';

export interface WassersteinOptions {
  /** The exponent p >= 1 (default 1). */
  order?: number;
}

/**
 * (sum of matched distance^p)^(1/p) over an optimal matching, where essential points (death = Infinity) are matched
 * by sorted birth (different counts give Infinity). Below-diagonal points are rejected.
 */
export function wassersteinDistance(a: readonly PairLike[], b: readonly PairLike[], options: WassersteinOptions = {}): number {
  const order = options.order ?? 1;
  if (!(order >= 1) || order === Infinity) throw new Error(`wassersteinDistance: order must be a finite number >= 1, got ${order}`);
  assertValidPairs(a, 'wassersteinDistance: first diagram');
  assertValidPairs(b, 'wassersteinDistance: second diagram');
  const da = splitFiniteAndEssential(a);
  const db = splitFiniteAndEssential(b);
  const essential = essentialCost(da.essential, db.essential, order);
  if (essential === Infinity) return Infinity;
  const total = essential + optimalAssignmentCost(da.births, da.deaths, db.births, db.deaths, order);
  return order === 1 ? total : total ** (1 / order);
}

// Module constants: global lookups (Infinity, Math) in hot loops are slow inside vm contexts such as jest's.
const INF = Infinity;
const { abs, max } = Math;

function optimalAssignmentCost(ax: Float64Array, ay: Float64Array, bx: Float64Array, by: Float64Array, order: number): number {
  const n1 = ax.length;
  const n2 = bx.length;
  const N = n1 + n2;
  if (N === 0) return 0;
  const pow = (x: number): number => (order === 1 ? x : x ** order);
  const ownA = Float64Array.from(ax, (x, i) => pow(diagonalCost(x, ay[i])));
  const ownB = Float64Array.from(bx, (x, j) => pow(diagonalCost(x, by[j])));
  // Row i (1-based) is A[i-1] for i <= n1, else a diagonal slot; column j is B[j-1] for j <= n2, else a slot.
  /** The costs of row i (1-based) to every column, into out[1..N]. */
  const fillRowCosts = (i: number, out: Float64Array): void => {
    if (i <= n1) {
      const x = ax[i - 1];
      const y = ay[i - 1];
      for (let j = 1; j <= n2; j++) out[j] = pow(max(abs(x - bx[j - 1]), abs(y - by[j - 1])));
      out.fill(ownA[i - 1], n2 + 1, N + 1);
    } else {
      out.set(ownB, 1);
      out.fill(0, n2 + 1, N + 1);
    }
  };
  const cost = (i: number, j: number): number => {
    if (i <= n1) return j <= n2 ? pow(Math.max(Math.abs(ax[i - 1] - bx[j - 1]), Math.abs(ay[i - 1] - by[j - 1]))) : ownA[i - 1];
    return j <= n2 ? ownB[j - 1] : 0;
  };

  const u = new Float64Array(N + 1);
  const v = new Float64Array(N + 1);
  const rowOf = new Int32Array(N + 1); // rowOf[j]: row assigned to column j (0 = none)
  const way = new Int32Array(N + 1);
  const minv = new Float64Array(N + 1);
  const used = new Uint8Array(N + 1);
  const rowCost = new Float64Array(N + 1);
  for (let i = 1; i <= N; i++) {
    rowOf[0] = i;
    let j0 = 0;
    minv.fill(INF);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOf[j0];
      fillRowCosts(i0, rowCost);
      let delta = INF;
      let j1 = 0;
      const ui = u[i0];
      for (let j = 1; j <= N; j++) {
        if (used[j]) continue;
        const reduced = rowCost[j] - ui - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        // Among equal candidates prefer a free column: the diagonal slots make many exact ties.
        if (minv[j] < delta || (minv[j] === delta && rowOf[j] === 0)) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= N; j++) {
        if (used[j]) {
          u[rowOf[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    do {
      const j1 = way[j0];
      rowOf[j0] = rowOf[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  // Sum the chosen costs directly (more accurate than the potentials).
  let total = 0;
  for (let j = 1; j <= N; j++) total += cost(rowOf[j], j);
  return total;
}
