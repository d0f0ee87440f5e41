// The topological gap as a model-selection objective: read finished runs, rank them by their gap, and measure how
// well the gap tracks the generalisation gap.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RunSummary {
  runDir: string;
  topoGap: number;
  generalizationGap: number;
  testTop1: number;
  valTop1: number;
  config: string;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`pearson: ${xs.length} x values but ${ys.length} y values`);
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n with ties sharing their mean rank. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's rho: Pearson's r of the ranks (scipy.stats.spearmanr). */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  return pearson(ranks(xs), ranks(ys));
}

/** Reads `<runDir>/results.json` written by a training run. */
export function readRunSummary(runDir: string): RunSummary {
  const file = path.join(runDir, 'results.json');
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist (not a finished hrnet run)`);
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    topo_gap: number | null;
    generalization_gap: number;
    test_acc: number;
    best_epoch: number | null;
  };
  const history = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as Record<string, number>[];
  const best = history.find((h) => h.epoch === r.best_epoch);
  const config = fs.existsSync(path.join(runDir, 'config.yaml')) ? path.join(runDir, 'config.yaml') : '';
  return {
    runDir,
    topoGap: r.topo_gap ?? NaN,
    generalizationGap: r.generalization_gap,
    testTop1: r.test_acc,
    valTop1: best?.val_acc ?? NaN,
    config,
  };
}

/** Runs sorted by ascending topological gap (the candidate the objective picks comes first). */
export function rankRuns(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => a.topoGap - b.topoGap);
}
