// `nx run hrnet:experiment [--cfg w18_small_v1_32x32] [--seeds 0,1,2] [--arms baseline,topology-guided] [--topoWeight 0.01]
//   [--out dir] [KEY.PATH=value ...]`
// Baseline (cross-entropy, checkpoint by val_acc) against topology-guided training (Moor et al. loss on the pooled
// features with weight --topoWeight, checkpoint by topo_score = val_acc - SCORE_WEIGHT * topo_gap), one run per arm
// and seed, interleaved so that a cut-short experiment stays balanced. Writes results.json and results.md after
// every run: mean ± std test accuracy per arm and the correlation of the topological gap with the generalisation gap.
// The tables are built from every finished run folder (`<arm>_seed<N>/results.json`) in --out, so an experiment
// started again with the same --out skips the runs already finished, and processes given disjoint --seeds / --arms and
// the same --out (one per core) fill one table.
import * as fs from 'fs';
import * as path from 'path';
import { outputsDir, writeFileAtomic } from '@research/common';
import { experimentFromCli, parseCli, runMain, str } from '../src/cli';
import { loadExperiment } from '../src/config';
import { type TrainRunResult, timestamp, trainExperiment, writeJsonAtomic } from '../src/run';
import { mean, pearson, sampleStd, spearman } from '../src/topology/rank';

const USAGE = 'experiment [--cfg <experiment>] [--seeds 0,1,2] [--arms baseline,topology-guided] [--topoWeight 0.01] [--out <dir>] [KEY.PATH=value ...]';

interface ArmRun {
  runDir: string;
  arm: string;
  seed: number;
  result: Omit<TrainRunResult, 'history'>;
  /** Per measured epoch: [topo_gap, train_acc - val_acc]. */
  epochGaps: [number, number][];
}

const pct = (x: number) => (100 * x).toFixed(2);

function table(runs: ArmRun[], header: string): string {
  const lines = [header, '', '| arm | runs | test top-1 % (mean ± std) | test top-5 % | train-eval top-1 % | generalisation gap (pp) | topo_gap at selected epoch | selected epoch |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const arm of [...new Set(runs.map((r) => r.arm))]) {
    const rs = runs.filter((r) => r.arm === arm);
    const col = (f: (r: ArmRun) => number) => rs.map(f);
    const ms = (xs: number[], scale = 100) => `${(scale * mean(xs)).toFixed(2)} ± ${(scale * sampleStd(xs)).toFixed(2)}`;
    lines.push(`| ${arm} | ${rs.length} (seeds ${rs.map((r) => r.seed).join(', ')}) | ${ms(col((r) => r.result.test.top1))} | ${ms(col((r) => r.result.test.top5))} | ` +
      `${ms(col((r) => r.result.trainEval.top1))} | ${ms(col((r) => r.result.generalizationGap))} | ${ms(col((r) => r.result.topoGap), 1)} | ${rs.map((r) => r.result.bestEpoch).join(', ')} |`);
  }
  lines.push('', '| arm | seed | test top-1 % | generalisation gap (pp) | topo_gap | seconds |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of runs) lines.push(`| ${r.arm} | ${r.seed} | ${pct(r.result.test.top1)} | ${pct(r.result.generalizationGap)} | ${r.result.topoGap.toFixed(4)} | ${r.result.seconds.toFixed(0)} |`);
  const measured = runs.filter((r) => Number.isFinite(r.result.topoGap));
  if (measured.length >= 3) {
    const g = measured.map((r) => r.result.topoGap);
    const e = measured.map((r) => r.result.generalizationGap);
    lines.push('', `Run level (${measured.length} runs, selected epochs): topo_gap vs generalisation gap (train-eval top-1 - test top-1): ` +
      `Pearson ${pearson(g, e).toFixed(3)}, Spearman ${spearman(g, e).toFixed(3)}.`);
  }
  const epochs = runs.flatMap((r) => r.epochGaps).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (epochs.length >= 3) {
    lines.push(`Epoch level (${epochs.length} epochs of all runs): topo_gap vs train_acc - val_acc: ` +
      `Pearson ${pearson(epochs.map((x) => x[0]), epochs.map((x) => x[1])).toFixed(3)}, Spearman ${spearman(epochs.map((x) => x[0]), epochs.map((x) => x[1])).toFixed(3)}.`);
  }
  return lines.join('\n') + '\n';
}

const RUN_FOLDER = /^(.+)_seed(\d+)$/;

/** A finished run read back from its folder, or undefined when it has no results.json yet. */
function readRun(runDir: string): ArmRun | undefined {
  const match = RUN_FOLDER.exec(path.basename(runDir));
  const resultsFile = path.join(runDir, 'results.json');
  if (!match || !fs.existsSync(resultsFile)) return undefined;
  const result = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Omit<TrainRunResult, 'history'>;
  const history = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as TrainRunResult['history'];
  const epochGaps = history.map((h) => [h.topo_gap ?? NaN, (h.train_acc ?? NaN) - (h.val_acc ?? NaN)] as [number, number]);
  return { runDir, arm: match[1], seed: Number(match[2]), result, epochGaps };
}

/** Every finished run in `out`, by arm (in `armOrder`) then seed. */
function finishedRuns(out: string, armOrder: string[]): ArmRun[] {
  const runs = fs.readdirSync(out).map((name) => readRun(path.join(out, name))).filter((r): r is ArmRun => r !== undefined);
  const rank = (arm: string) => (armOrder.includes(arm) ? armOrder.indexOf(arm) : armOrder.length);
  return runs.sort((a, b) => rank(a.arm) - rank(b.arm) || a.arm.localeCompare(b.arm) || a.seed - b.seed);
}

runMain(async () => {
  const { values, overrides } = parseCli(process.argv.slice(2), {
    cfg: { type: 'string', default: 'w18_small_v1_32x32' }, seeds: { type: 'string', default: '0,1,2' }, arms: { type: 'string' },
    topoWeight: { type: 'string', default: '0.01' }, out: { type: 'string' },
  }, USAGE);
  const { name, file } = experimentFromCli(values.cfg, overrides, USAGE);
  const seeds = String(values.seeds).split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds must be non-negative integers, got '${values.seeds}'`);
  const topoWeight = Number(values.topoWeight);
  if (!(topoWeight > 0)) throw new Error(`--topoWeight must be > 0, got '${values.topoWeight}'`);
  const out = path.resolve(str(values.out) ?? path.join(outputsDir('hrnet'), name, `experiment-${timestamp()}`));
  const arms: [string, string[]][] = [
    ['baseline', ['TOPO.REG_WEIGHT=0', 'TOPO.SELECT=val_acc']],
    ['topology-guided', [`TOPO.REG_WEIGHT=${topoWeight}`, 'TOPO.SELECT=topo_score', 'TOPO.MONITOR_EVERY=1']],
  ];
  const command = `npx nx run hrnet:experiment ${process.argv.slice(2).join(' ')}`;
  const armNames = arms.map(([arm]) => arm);
  const selected = values.arms === undefined ? armNames : String(values.arms).split(',');
  const unknown = selected.filter((arm) => !armNames.includes(arm));
  if (unknown.length > 0) throw new Error(`--arms: unknown arm(s) ${unknown.join(', ')}; the arms are ${armNames.join(', ')}`);
  fs.mkdirSync(out, { recursive: true });
  for (const seed of seeds) {
    for (const [arm, armOverrides] of arms.filter(([name]) => selected.includes(name))) {
      const runDir = path.join(out, `${arm}_seed${seed}`);
      if (readRun(runDir)) {
        console.error(`[experiment] ${arm} seed ${seed}: finished before (${runDir}), kept`);
        continue;
      }
      const experiment = loadExperiment(file, [...overrides, ...armOverrides, `TRAIN.SEED=${seed}`]);
      console.error(`[experiment] ${arm} seed ${seed}`);
      await trainExperiment({ experiment, name, runDir, command });
      const runs = finishedRuns(out, armNames);
      writeJsonAtomic(path.join(out, 'results.json'), { command, experiment: file, overrides, topoWeight, runs: runs.map(({ runDir: _dir, ...run }) => run) });
      writeFileAtomic(path.join(out, 'results.md'), table(runs, `Command: \`${command}\``));
    }
  }
  console.log(table(finishedRuns(out, armNames), `Command: \`${command}\``));
  console.log(`[experiment] ${out}`);
});
