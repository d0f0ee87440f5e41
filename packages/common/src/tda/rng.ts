// Seeded subsampling for reproducible diagrams (independent of Math.random and of tfjs).
import { mulberry32 } from '../random/rng';

/** `count` distinct indices of [0, n), chosen uniformly by a partial Fisher-Yates shuffle, returned in ascending order. */
export function sampleDistinctIndices(n: number, count: number, seed: number): Int32Array {
  if (!Number.isInteger(count) || count < 0 || count > n)
    throw new Error(`sample size must be an integer in [0, ${n}], got ${count}`);
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
