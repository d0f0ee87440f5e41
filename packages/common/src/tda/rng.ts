// A small seeded random generator for reproducible subsampling (independent of Math.random and of tfjs).

/** mulberry32: a 32-bit state generator; returns uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct indices of [0, n), chosen uniformly by a partial Fisher-Yates shuffle, returned in ascending order. */
export function sampleDistinctIndices(n: number, count: number, seed: number): Int32Array {
  if (!Number.isInteger(count) || count < 0 || count > n) throw new Error(`sample size must be an integer in [0, ${n}], got ${count}`);
  const random = mulberry32(seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, count).sort();
}
