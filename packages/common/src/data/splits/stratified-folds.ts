// Stratified cross-validation with a shared test set: which examples are test, and which fold validates each of
// the others. Pure logic on labels; the file side is in scan-raw.ts and write-splits.ts.
import { createRng } from '../../random';

export interface FoldOptions {
  folds: number;
  /** Fraction of every class held out as the shared test set, in [0, 1). */
  testRatio: number;
  seed: number;
  /** Class names by label: every one of them must have enough examples (also those with none); used in messages. */
  classNames?: readonly string[];
}

export interface FoldAssignment {
  /** Indices of the shared test set, ascending. */
  test: number[];
  /** `val[k]`: indices validated by fold k, ascending; fold k trains on every other non-test index. */
  val: number[][];
}

/**
 * Splits `total` over groups in proportion to `sizes`: floor of each share, then one more for the largest fractional
 * parts (ties to the lower group index), so each group's count is within 1 of its exact share.
 */
export function allocateProportionally(sizes: readonly number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * total) / n);
  const take = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - take[i], i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const remaining = total - take.reduce((a, b) => a + b, 0);
  for (let k = 0; k < remaining; k++) take[order[k][1]]++;
  return take;
}

/**
 * Seeded, stratified: each class's indices are shuffled once (class by class, in label order, from one rng); the
 * first ones form its share of the test set (round(testRatio x n) in total, spread over classes by largest
 * remainder), the rest are dealt round-robin to the folds, continuing where the previous class stopped. So every
 * class has floor or ceil of (its pool / folds) examples in each validation fold, and the fold sizes differ by at most 1.
 */
export function assignStratifiedFolds(labels: ArrayLike<number>, opts: FoldOptions): FoldAssignment {
  const { folds, testRatio, seed } = opts;
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer >= 2, got ${folds}`);
  if (!(testRatio >= 0 && testRatio < 1)) throw new Error(`test_ratio must be in [0, 1), got ${testRatio}`);
  const byClass = new Map<number, number[]>(opts.classNames?.map((_, c) => [c, []]));
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const groups = classes.map((c) => byClass.get(c)!);
  const testCounts = allocateProportionally(
    groups.map((g) => g.length),
    Math.round(testRatio * labels.length),
  );
  const name = (c: number) => (opts.classNames?.[c] !== undefined ? `'${opts.classNames[c]}'` : `label ${c}`);
  groups.forEach((group, g) => {
    const pool = group.length - testCounts[g];
    if (pool < folds) {
      throw new Error(
        `class ${name(classes[g])} has ${group.length} image(s)` +
          (testCounts[g] > 0 ? `, ${testCounts[g]} of them for the test set,` : '') +
          ` leaving ${pool} for ${folds} folds: every validation fold needs at least one image of each class ` +
          `(add images, lower --folds or --test_ratio)`,
      );
    }
  });

  const rng = createRng(seed);
  const test: number[] = [];
  const val: number[][] = Array.from({ length: folds }, () => []);
  let next = 0;
  groups.forEach((group, g) => {
    const shuffled = rng.shuffle([...group]);
    test.push(...shuffled.slice(0, testCounts[g]));
    for (const index of shuffled.slice(testCounts[g])) {
      val[next].push(index);
      next = (next + 1) % folds;
    }
  });
  const ascending = (a: number, b: number) => a - b;
  return { test: test.sort(ascending), val: val.map((v) => v.sort(ascending)) };
}
