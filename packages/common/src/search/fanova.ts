// Parameter importances by fANOVA, Optuna's default evaluator (FanovaImportanceEvaluator): a random forest
// (scikit-learn's RandomForestRegressor semantics: 64 bootstrapped trees, depth up to 64, every feature tried at
// every split, thresholds halfway between neighbouring values) fitted to the completed trials, then for each tree
// the variance of the prediction marginalised over all other parameters, as a share of the tree's total variance
// (Hutter et al. 2014, as in optuna/importance/_fanova/_tree.py), averaged over trees and normalised to sum 1.
import { Distribution, isSingle, toInternalRepr } from './distributions';
import { NumpyRandomState } from './numpy-random';
import type { Study } from './study';
import type { FrozenTrial } from './types';

interface TreeNode {
  feature: number; // -1 for a leaf
  threshold: number;
  left: number;
  right: number;
  value: number;
}

export interface ForestOptions {
  nTrees?: number;
  maxDepth?: number;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  seed?: number;
}

/** A regression tree grown on weighted samples (weights = bootstrap counts), squared-error splits. */
export function growTree(
  X: number[][],
  y: number[],
  weights: number[],
  rng: NumpyRandomState,
  opts: Required<Omit<ForestOptions, 'nTrees' | 'seed'>>,
): TreeNode[] {
  const nodes: TreeNode[] = [];
  const nFeatures = X[0].length;
  const build = (idx: number[], depth: number): number => {
    const id = nodes.length;
    let w = 0;
    let sum = 0;
    let sumSq = 0;
    for (const i of idx) {
      w += weights[i];
      sum += weights[i] * y[i];
      sumSq += weights[i] * y[i] * y[i];
    }
    const mean = sum / w;
    nodes.push({ feature: -1, threshold: NaN, left: -1, right: -1, value: mean });
    const impurity = sumSq / w - mean * mean;
    if (idx.length < opts.minSamplesSplit || depth >= opts.maxDepth || impurity <= 1e-12 * Math.max(1, mean * mean)) {
      return id;
    }
    // Features in a random order (scikit-learn's Fisher-Yates draw); the first best split wins ties.
    const order = Array.from({ length: nFeatures }, (_, f) => f);
    for (let i = nFeatures - 1; i > 0; i--) {
      const j = rng.randint(0, i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let best = { proxy: -Infinity, feature: -1, threshold: NaN };
    for (const f of order) {
      const sorted = [...idx].sort((a, b) => X[a][f] - X[b][f]);
      if (X[sorted[0]][f] === X[sorted[sorted.length - 1]][f]) continue;
      let wl = 0;
      let sl = 0;
      let nl = 0;
      for (let k = 0; k < sorted.length - 1; k++) {
        const i = sorted[k];
        wl += weights[i];
        sl += weights[i] * y[i];
        nl += 1;
        const a = X[i][f];
        const b = X[sorted[k + 1]][f];
        if (a === b) continue;
        if (nl < opts.minSamplesLeaf || sorted.length - nl < opts.minSamplesLeaf) continue;
        const wr = w - wl;
        const sr = sum - sl;
        const proxy = (sl * sl) / wl + (sr * sr) / wr;
        if (proxy > best.proxy) {
          let threshold = (a + b) / 2;
          if (threshold === b) threshold = a;
          best = { proxy, feature: f, threshold };
        }
      }
    }
    if (best.feature < 0 || best.proxy <= (sum * sum) / w + 1e-12 * Math.abs((sum * sum) / w)) return id;
    const leftIdx = idx.filter((i) => X[i][best.feature] <= best.threshold);
    const rightIdx = idx.filter((i) => X[i][best.feature] > best.threshold);
    const node = nodes[id];
    node.feature = best.feature;
    node.threshold = best.threshold;
    node.left = build(leftIdx, depth + 1);
    node.right = build(rightIdx, depth + 1);
    return id;
  };
  build(
    Array.from({ length: y.length }, (_, i) => i).filter((i) => weights[i] > 0),
    0,
  );
  return nodes;
}

function cardinality(space: number[][]): number {
  return space.reduce((acc, [lo, hi]) => acc * (hi - lo), 1);
}

function weightedVariance(values: number[], weights: number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = values.reduce((acc, v, i) => acc + v * weights[i], 0) / total;
  return values.reduce((acc, v, i) => acc + weights[i] * (v - mean) ** 2, 0) / total;
}

/** fANOVA on one fitted tree: total variance and the variance of the marginal over a set of columns. */
export class FanovaTree {
  private readonly stats: Array<[number, number]>; // [marginal mean, cardinality weight] per node
  private readonly midpoints: number[][];
  private readonly sizes: number[][];
  private readonly subtreeFeatures: boolean[][];
  readonly variance: number;

  constructor(
    private readonly nodes: TreeNode[],
    private readonly space: number[][],
  ) {
    const n = nodes.length;
    const nf = space.length;
    const subspaces: number[][][] = new Array(n);
    subspaces[0] = space.map((b) => [...b]);
    this.stats = new Array(n);
    for (let i = 0; i < n; i++) {
      const node = nodes[i];
      if (node.feature < 0) {
        this.stats[i] = [node.value, cardinality(subspaces[i])];
      } else {
        const left = subspaces[i].map((b) => [...b]);
        left[node.feature][1] = node.threshold;
        const right = subspaces[i].map((b) => [...b]);
        right[node.feature][0] = node.threshold;
        subspaces[node.left] = left;
        subspaces[node.right] = right;
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      const node = nodes[i];
      if (node.feature >= 0) {
        const [vl, wl] = this.stats[node.left];
        const [vr, wr] = this.stats[node.right];
        this.stats[i] = [(vl * wl + vr * wr) / (wl + wr), wl + wr];
      }
    }
    const splits: Array<Set<number>> = Array.from({ length: nf }, () => new Set());
    for (const node of nodes) if (node.feature >= 0) splits[node.feature].add(node.threshold);
    this.midpoints = [];
    this.sizes = [];
    for (let f = 0; f < nf; f++) {
      const values = [space[f][0], ...[...splits[f]].sort((a, b) => a - b), space[f][1]];
      this.midpoints.push(values.slice(1).map((v, k) => 0.5 * (v + values[k])));
      this.sizes.push(values.slice(1).map((v, k) => v - values[k]));
    }
    this.subtreeFeatures = nodes.map(() => new Array<boolean>(nf).fill(false));
    for (let i = n - 1; i >= 0; i--) {
      const node = nodes[i];
      if (node.feature >= 0) {
        this.subtreeFeatures[i][node.feature] = true;
        for (let f = 0; f < nf; f++) {
          if (this.subtreeFeatures[node.left][f] || this.subtreeFeatures[node.right][f])
            this.subtreeFeatures[i][f] = true;
        }
      }
    }
    const leaves = nodes
      .map((node, i) => [node, i] as const)
      .filter(([node]) => node.feature < 0)
      .map(([, i]) => i);
    this.variance = weightedVariance(
      leaves.map((i) => this.stats[i][0]),
      leaves.map((i) => this.stats[i][1]),
    );
  }

  /** Mean prediction and weight with the given columns fixed (NaN elsewhere = marginalised). */
  private marginalized(sample: number[]): [number, number] {
    const active = sample.map((v) => !Number.isNaN(v));
    const base = this.space.map((b, f) => (active[f] ? [...b] : [0, 1]));
    const stack: Array<[number, number[][]]> = [[0, base]];
    const values: number[] = [];
    const weights: number[] = [];
    while (stack.length > 0) {
      const [i, sub] = stack.pop() as [number, number[][]];
      const node = this.nodes[i];
      if (node.feature >= 0) {
        const response = sample[node.feature];
        if (!Number.isNaN(response)) {
          const next = sub.map((b) => [...b]);
          if (response <= node.threshold) {
            next[node.feature][1] = node.threshold;
            stack.push([node.left, next]);
          } else {
            next[node.feature][0] = node.threshold;
            stack.push([node.right, next]);
          }
          continue;
        }
        if (this.subtreeFeatures[i].some((has, f) => has && active[f])) {
          stack.push([node.left, sub], [node.right, sub]);
          continue;
        }
      }
      values.push(this.stats[i][0]);
      weights.push(this.stats[i][1] / cardinality(sub));
    }
    const total = weights.reduce((a, b) => a + b, 0);
    return [values.reduce((acc, v, k) => acc + v * weights[k], 0) / total, total];
  }

  /** Variance of the prediction as a function of the given columns alone (others averaged out). */
  marginalVariance(columns: number[]): number {
    const values: number[] = [];
    const weights: number[] = [];
    const sample = new Array<number>(this.space.length).fill(NaN);
    const recurse = (k: number, size: number): void => {
      if (k === columns.length) {
        const [value, weight] = this.marginalized(sample);
        values.push(value);
        weights.push(weight * size);
        return;
      }
      const f = columns[k];
      this.midpoints[f].forEach((m, j) => {
        sample[f] = m;
        recurse(k + 1, size * this.sizes[f][j]);
      });
      sample[f] = NaN;
    };
    recurse(0, 1);
    return Math.max(0, weightedVariance(values, weights));
  }
}

/** Fit the forest and return, per group of columns, the mean share of variance over trees with variance > 0. */
export function fanovaImportances(
  X: number[][],
  y: number[],
  space: number[][],
  groups: number[][],
  opts: ForestOptions = {},
): number[] {
  const rng = new NumpyRandomState(opts.seed);
  const treeOpts = {
    maxDepth: opts.maxDepth ?? 64,
    minSamplesSplit: opts.minSamplesSplit ?? 2,
    minSamplesLeaf: opts.minSamplesLeaf ?? 1,
  };
  const trees: FanovaTree[] = [];
  for (let t = 0; t < (opts.nTrees ?? 64); t++) {
    const weights = new Array<number>(y.length).fill(0);
    for (let k = 0; k < y.length; k++) weights[rng.randint(0, y.length)] += 1;
    trees.push(new FanovaTree(growTree(X, y, weights, rng, treeOpts), space));
  }
  if (trees.every((t) => t.variance === 0)) throw new Error('fANOVA: zero total variance in all trees');
  return groups.map((columns) => {
    const fractions = trees.filter((t) => t.variance > 0).map((t) => t.marginalVariance(columns) / t.variance);
    return fractions.reduce((a, b) => a + b, 0) / fractions.length;
  });
}

/**
 * Optuna's get_param_importances with its default fANOVA evaluator: parameters shared by all completed trials
 * (or the given ones), raw values (no log scale), categoricals one-hot; importances sum to 1, largest first.
 */
export async function getParamImportances(
  study: Study,
  opts: ForestOptions & { params?: string[] } = {},
): Promise<Record<string, number>> {
  const completed = await study.getTrials(['COMPLETE']);
  return paramImportancesOf(completed, opts);
}

export function paramImportancesOf(
  completed: FrozenTrial[],
  opts: ForestOptions & { params?: string[] } = {},
): Record<string, number> {
  if (completed.length === 0) throw new Error('fANOVA: the study has no completed trials');
  const distributions: Record<string, Distribution> = {};
  const names =
    opts.params ??
    Object.keys(completed[0].distributions)
      .filter((name) => completed.every((t) => name in t.distributions))
      .sort();
  for (const name of names) {
    const d = completed.find((t) => name in t.distributions)?.distributions[name];
    if (!d) throw new Error(`fANOVA: no completed trial has parameter "${name}"`);
    distributions[name] = d;
  }
  const varying = names.filter((name) => !isSingle(distributions[name]));
  const trials = completed.filter(
    (t) => names.every((n) => n in t.params) && Number.isFinite((t.values as number[])[0]),
  );
  const space: number[][] = [];
  const groups: number[][] = [];
  for (const name of varying) {
    const d = distributions[name];
    const start = space.length;
    if (d.kind === 'categorical') d.choices.forEach(() => space.push([0, 1]));
    else space.push([d.low, d.high]);
    groups.push(Array.from({ length: space.length - start }, (_, k) => start + k));
  }
  const X = trials.map((t) =>
    varying.flatMap((name) => {
      const d = distributions[name];
      const internal = toInternalRepr(d, t.params[name]);
      return d.kind === 'categorical' ? d.choices.map((_, k) => (k === internal ? 1 : 0)) : [internal];
    }),
  );
  const y = trials.map((t) => (t.values as number[])[0]);
  const raw = varying.length > 0 ? fanovaImportances(X, y, space, groups, opts) : [];
  const total = raw.reduce((a, b) => a + b, 0);
  const entries: Array<[string, number]> = varying.map((name, i) => [name, raw[i] / total]);
  for (const name of names) if (!varying.includes(name)) entries.push([name, 0]);
  entries.sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries);
}
