// Persistence diagrams: the value types shared by the tda module.

/** One point of a persistence diagram: [birth, death]; an essential class has death = Infinity. */
export type PersistencePair = [birth: number, death: number];

/** Read-only view of a pair, so callers may pass tuples or plain two-element arrays. */
export type PairLike = readonly [number, number] | readonly number[];

/** The diagram of one homology dimension. */
export interface PersistenceDiagram {
  dim: number;
  pairs: PersistencePair[];
}

/**
 * Checks that every pair of `pairs` is a finite birth with a death >= birth (or +Infinity).
 * `where` names the diagram in the error message (a file, an argument name, ...).
 */
export function assertValidPairs(pairs: readonly PairLike[], where: string): void {
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (!p || p.length !== 2)
      throw new Error(`${where}: point ${i} must be a [birth, death] pair, got ${JSON.stringify(p)}`);
    const [b, d] = p;
    if (typeof b !== 'number' || !Number.isFinite(b))
      throw new Error(`${where}: point ${i} has a non-finite birth ${String(b)}`);
    if (typeof d !== 'number' || Number.isNaN(d) || d === -Infinity)
      throw new Error(`${where}: point ${i} has an invalid death ${String(d)}`);
    if (d < b) throw new Error(`${where}: point ${i} [${b}, ${d}] lies below the diagonal (death < birth)`);
  }
}

/** Splits a diagram into finite points (as parallel Float64Arrays) and the births of its essential points. */
export function splitFiniteAndEssential(pairs: readonly PairLike[]): {
  births: Float64Array;
  deaths: Float64Array;
  essential: Float64Array;
} {
  let finite = 0;
  for (const p of pairs) if (p[1] !== Infinity) finite++;
  const births = new Float64Array(finite);
  const deaths = new Float64Array(finite);
  const essential = new Float64Array(pairs.length - finite);
  let f = 0;
  let e = 0;
  for (const p of pairs) {
    if (p[1] === Infinity) essential[e++] = p[0];
    else {
      births[f] = p[0];
      deaths[f++] = p[1];
    }
  }
  return { births, deaths, essential };
}

/**
 * Matches the essential points of two diagrams (sorted births in order) and returns the L-p aggregate of the birth
 * differences: their maximum for p = Infinity, their sum of p-th powers otherwise. Different counts give Infinity.
 */
export function essentialCost(a: Float64Array, b: Float64Array, order: number): number {
  if (a.length !== b.length) return Infinity;
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  let cost = 0;
  for (let i = 0; i < sa.length; i++) {
    const delta = Math.abs(sa[i] - sb[i]);
    cost = order === Infinity ? Math.max(cost, delta) : cost + delta ** order;
  }
  return cost;
}

/** L-inf distance from (birth, death) to its diagonal projection (m, m), m = (birth + death) / 2, as GUDHI computes it. */
export function diagonalCost(birth: number, death: number): number {
  const m = (birth + death) / 2;
  return Math.max(Math.abs(birth - m), Math.abs(death - m));
}
