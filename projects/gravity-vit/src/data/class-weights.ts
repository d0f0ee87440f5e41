// Class weights for imbalanced training: w_c = total / (n_classes * count_c), then scaled so the weights sum to
// n_classes (a class absent from the split gets 0). Computed once per file and cached in a small JSON beside it.
import * as fs from 'node:fs';
import { writeFileAtomic } from '@research/common';

export function balancedClassWeights(counts: readonly number[]): number[] {
  const n = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error('balancedClassWeights: every class count is 0');
  const raw = counts.map((c) => (c > 0 ? total / (n * c) : 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (w * n) / sum);
}

interface CacheFile {
  /** Identifies the data file the weights were computed from. */
  source: { size: number; mtimeMs: number };
  split: string;
  counts: number[];
  weights: number[];
}

/** `<file>.class-weights.json`. */
export function classWeightsCachePath(dataFile: string): string {
  return `${dataFile}.class-weights.json`;
}

/**
 * The weights of `split` for `dataFile`: read from the cache when it matches the file's size and mtime and the split,
 * else computed from `counts()` and cached (a read-only folder only skips the cache).
 */
export function cachedClassWeights(
  dataFile: string,
  split: string,
  counts: () => number[],
): { weights: number[]; fromCache: boolean } {
  const stat = fs.statSync(dataFile);
  const cachePath = classWeightsCachePath(dataFile);
  if (fs.existsSync(cachePath)) {
    try {
      const cached = JSON.parse(fs.readFileSync(cachePath, 'utf8')) as CacheFile;
      if (cached.source.size === stat.size && cached.source.mtimeMs === stat.mtimeMs && cached.split === split) {
        return { weights: cached.weights, fromCache: true };
      }
    } catch {
      // an unreadable cache is recomputed and overwritten
    }
  }
  const c = counts();
  const weights = balancedClassWeights(c);
  const body: CacheFile = { source: { size: stat.size, mtimeMs: stat.mtimeMs }, split, counts: c, weights };
  try {
    writeFileAtomic(cachePath, JSON.stringify(body, null, 2) + '\n');
  } catch {
    // read-only dataset folder: use the weights without caching them
  }
  return { weights, fromCache: false };
}
