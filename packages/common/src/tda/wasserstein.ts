// Exact p-Wasserstein distance between persistence diagrams with the L-inf ground metric (GUDHI's
// gudhi.wasserstein.wasserstein_distance with internal_p=inf and keep_essential_parts=True).
//
// The finite points form the augmented (n1 + n2) x (n1 + n2) assignment problem (a point goes to the diagonal at
// the cost of reaching its projection, diagonal to diagonal costs 0), solved exactly in an equivalent
// n1 x (n2 + n1) form by the Hungarian method (shortest augmenting paths, costs computed on the fly).
import { assertValidPairs, diagonalCost, essentialCost, splitFiniteAndEssential, type PairLike } from './types';

export interface WassersteinOptions {
  /** The exponent p >= 1 (default 1). */
  order?: number;
}

/**
 * (sum of matched distance^p)^(1/p) over an optimal matching, where essential points (death = Infinity) are matched
 * by sorted birth (different counts give Infinity). Below-diagonal points are rejected.
 */
export function wassersteinDistance(
  a: readonly PairLike[],
  b: readonly PairLike[],
  options: WassersteinOptions = {},
): number {
  const order = options.order ?? 1;
  if (!(order >= 1) || order === Infinity)
    throw new Error(`wassersteinDistance: order must be a finite number >= 1, got ${order}`);
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

/**
 * Sending every point to the diagonal costs sum(own); matching A_i with B_j instead changes that by
 * c_ij - own_i - own_j. So the optimum is sum(own) + the best partial matching under those reduced costs: a
 * rectangular assignment of the rows A_i to the columns B_j or to a private "unmatched" column of cost 0 (no
 * diagonal-to-diagonal block, whose many equal zeros would make the shortest path search wander). Solved by the
 * shortest augmenting path Hungarian method (e-maxx), scanning per step only the B columns and the private columns
 * already reached.
 */
function optimalAssignmentCost(
  ax: Float64Array,
  ay: Float64Array,
  bx: Float64Array,
  by: Float64Array,
  order: number,
): number {
  const n1 = ax.length;
  const n2 = bx.length;
  const pow = (x: number): number => (order === 1 ? x : x ** order);
  const ownA = Float64Array.from(ax, (x, i) => pow(diagonalCost(x, ay[i])));
  const ownB = Float64Array.from(bx, (x, j) => pow(diagonalCost(x, by[j])));
  const cost = (i: number, j: number): number => pow(max(abs(ax[i] - bx[j]), abs(ay[i] - by[j])));

  // Rows 1..n1 are A; columns 1..n2 are B, column n2 + i is row i's private column; index 0 is the virtual start.
  const m = n2 + n1;
  const u = new Float64Array(n1 + 1);
  const v = new Float64Array(m + 1);
  const rowOf = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1).fill(INF);
  const used = new Uint8Array(m + 1);
  const visited: number[] = [];
  const touched: number[] = []; // private columns with a finite minv in this search

  for (let i = 1; i <= n1; i++) {
    rowOf[0] = i;
    let j0 = 0;
    visited.length = 0;
    touched.length = 0;
    minv.fill(INF, 1, n2 + 1);
    do {
      used[j0] = 1;
      visited.push(j0);
      const i0 = rowOf[j0];
      const x = ax[i0 - 1];
      const y = ay[i0 - 1];
      const base = u[i0] + ownA[i0 - 1];
      const own = n2 + i0;
      if (!used[own] && -u[i0] - v[own] < minv[own]) {
        if (minv[own] === INF) touched.push(own);
        minv[own] = -u[i0] - v[own];
        way[own] = j0;
      }
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n2; j++) {
        if (used[j]) continue;
        const reduced = pow(max(abs(x - bx[j - 1]), abs(y - by[j - 1]))) - ownB[j - 1] - base - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        // Among equal candidates prefer a free column.
        if (minv[j] < delta || (minv[j] === delta && rowOf[j] === 0)) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (const j of touched)
        if (!used[j] && (minv[j] < delta || (minv[j] === delta && rowOf[j] === 0))) {
          delta = minv[j];
          j1 = j;
        }
      for (const j of visited) {
        u[rowOf[j]] += delta;
        v[j] -= delta;
      }
      for (let j = 1; j <= n2; j++) if (!used[j]) minv[j] -= delta;
      for (const j of touched) if (!used[j]) minv[j] -= delta;
      j0 = j1;
    } while (rowOf[j0] !== 0);
    do {
      const j1 = way[j0];
      rowOf[j0] = rowOf[j1];
      j0 = j1;
    } while (j0 !== 0);
    for (const j of visited) used[j] = 0;
    for (const j of touched) minv[j] = INF;
  }
  // Sum the chosen costs directly (more accurate than the potentials).
  let total = 0;
  const matchedA = new Uint8Array(n1 + 1);
  for (let j = 1; j <= n2; j++) {
    const i = rowOf[j];
    if (i > 0) {
      total += cost(i - 1, j - 1);
      matchedA[i] = 1;
    } else total += ownB[j - 1];
  }
  for (let i = 1; i <= n1; i++) if (!matchedA[i]) total += ownA[i - 1];
  return total;
}
