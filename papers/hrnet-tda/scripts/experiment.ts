// `nx run hrnet:experiment -- [--cfg w18_small_v1_32x32] [--seeds 0,1,2] [--arms baseline,topology-guided]
//   [--topo-weight 0.01] [--out dir] [KEY.PATH=value ...]`
// Baseline (cross-entropy, checkpoint by val_acc) against topology-guided training (Moor et al. loss on the pooled
// features with weight --topo-weight, checkpoint by topo_score = val_acc - SCORE_WEIGHT * topo_gap), one run per arm
// and seed through the run layer, interleaved so that a cut-short experiment stays balanced. Each run goes to
// `<out>/<arm>_seed<N>/<timestamp>/`; results.json and results.md are rebuilt from every finished run after each run.
// Started again with the same --out, finished runs are kept and an unfinished one resumes from its last checkpoint;
// processes given disjoint --seeds / --arms and the same --out (one per core) fill one table.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { outputsDir, runTimestamp, trainRun, writeFileAtomic, writeJsonAtomic } from '@research/common';
import { hrnetApp } from '../src/app';
import { loadExperiment } from '../src/config';
import { mean, pearson, sampleStd, spearman } from '../src/topology/rank';

/** What a finished run's results.json holds (the fields the tables use). */
interface RunResults {
  test_acc: number;
  test_top5: number;
  train_eval_acc: number;
  generalization_gap: number;
  topo_gap: number | null;
  best_epoch: number | null;
  fit_seconds: number;
}

interface ArmRun {
  runDir: string;
  arm: string;
  seed: number;
  result: RunResults;
  /** Per measured epoch: [topo_gap, train_acc - val_acc]. */
  epochGaps: [number, number][];
}

const pct = (x: number) => (100 * x).toFixed(2);
const gapOf = (r: ArmRun) => r.result.topo_gap ?? NaN;

function table(runs: ArmRun[], header: string): string {
  const lines = [
    header,
    '',
    '| arm | runs | test top-1 % (mean ± std) | test top-5 % | train-eval top-1 % | generalisation gap (pp) | topo_gap at selected epoch | selected epoch |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const arm of [...new Set(runs.map((r) => r.arm))]) {
    const rs = runs.filter((r) => r.arm === arm);
    const col = (f: (r: ArmRun) => number) => rs.map(f);
    const ms = (xs: number[], scale = 100) =>
      `${(scale * mean(xs)).toFixed(2)} ± ${(scale * sampleStd(xs)).toFixed(2)}`;
    lines.push(
      `| ${arm} | ${rs.length} (seeds ${rs.map((r) => r.seed).join(', ')}) | ${ms(col((r) => r.result.test_acc))} | ${ms(col((r) => r.result.test_top5))} | ` +
        `${ms(col((r) => r.result.train_eval_acc))} | ${ms(col((r) => r.result.generalization_gap))} | ${ms(col(gapOf), 1)} | ${rs.map((r) => r.result.best_epoch).join(', ')} |`,
    );
  }
  lines.push(
    '',
    '| arm | seed | test top-1 % | generalisation gap (pp) | topo_gap | seconds |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of runs)
    lines.push(
      `| ${r.arm} | ${r.seed} | ${pct(r.result.test_acc)} | ${pct(r.result.generalization_gap)} | ${gapOf(r).toFixed(4)} | ${r.result.fit_seconds.toFixed(0)} |`,
    );
  const measured = runs.filter((r) => Number.isFinite(gapOf(r)));
  if (measured.length >= 3) {
    const g = measured.map(gapOf);
    const e = measured.map((r) => r.result.generalization_gap);
    lines.push(
      '',
      `Run level (${measured.length} runs, selected epochs): topo_gap vs generalisation gap (train-eval top-1 - test top-1): ` +
        `Pearson ${pearson(g, e).toFixed(3)}, Spearman ${spearman(g, e).toFixed(3)}.`,
    );
  }
  const epochs = runs.flatMap((r) => r.epochGaps).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (epochs.length >= 3) {
    lines.push(
      `Epoch level (${epochs.length} epochs of all runs): topo_gap vs train_acc - val_acc: ` +
        `Pearson ${pearson(
          epochs.map((x) => x[0]),
          epochs.map((x) => x[1]),
        ).toFixed(3)}, Spearman ${spearman(
          epochs.map((x) => x[0]),
          epochs.map((x) => x[1]),
        ).toFixed(3)}.`,
    );
  }
  return lines.join('\n') + '\n';
}

const ARM_FOLDER = /^(.+)_seed(\d+)$/;

/** The run folders (timestamps) of one arm and seed, oldest first. */
function runFolders(armDir: string): string[] {
  if (!fs.existsSync(armDir)) return [];
  return fs
    .readdirSync(armDir)
    .sort()
    .map((name) => path.join(armDir, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'config.yaml')));
}

/** The finished run of `<out>/<arm>_seed<N>/`, or undefined when none has a results.json yet. */
function readRun(armDir: string): ArmRun | undefined {
  const match = ARM_FOLDER.exec(path.basename(armDir));
  if (!match) return undefined;
  const runDir = runFolders(armDir).find((dir) => fs.existsSync(path.join(dir, 'results.json')));
  if (!runDir) return undefined;
  const result = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as RunResults;
  const history = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as Record<string, number>[];
  const epochGaps = history.map(
    (h) => [h.topo_gap ?? NaN, (h.train_acc ?? NaN) - (h.val_acc ?? NaN)] as [number, number],
  );
  return { runDir, arm: match[1], seed: Number(match[2]), result, epochGaps };
}

/** Every finished run in `out`, by arm (in `armOrder`) then seed. */
function finishedRuns(out: string, armOrder: string[]): ArmRun[] {
  // Only the arm folders: `out` also holds the tables (results.json, results.md) that another process may have written.
  const runs = fs
    .readdirSync(out, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readRun(path.join(out, entry.name)))
    .filter((r): r is ArmRun => r !== undefined);
  const rank = (arm: string) => (armOrder.includes(arm) ? armOrder.indexOf(arm) : armOrder.length);
  return runs.sort((a, b) => rank(a.arm) - rank(b.arm) || a.arm.localeCompare(b.arm) || a.seed - b.seed);
}

interface ExperimentFlags {
  cfg: string;
  seeds: string;
  arms?: string;
  topoWeight: string;
  out?: string;
}

async function experiment(overrides: string[], flags: ExperimentFlags): Promise<void> {
  const base = loadExperiment(flags.cfg, overrides);
  const seeds = flags.seeds.split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`--seeds must be non-negative integers, got '${flags.seeds}'`);
  const topoWeight = Number(flags.topoWeight);
  if (!(topoWeight > 0)) throw new Error(`--topo-weight must be > 0, got '${flags.topoWeight}'`);
  const out = path.resolve(flags.out ?? path.join(outputsDir('hrnet'), base.NAME, `experiment-${runTimestamp()}`));
  const arms: [string, string[]][] = [
    ['baseline', ['TOPO.REG_WEIGHT=0', 'TOPO.SELECT=val_acc']],
    ['topology-guided', [`TOPO.REG_WEIGHT=${topoWeight}`, 'TOPO.SELECT=topo_score', 'TOPO.MONITOR_EVERY=1']],
  ];
  const command = `npx nx run hrnet:experiment -- ${process.argv.slice(2).join(' ')}`;
  const armNames = arms.map(([arm]) => arm);
  const selected = flags.arms === undefined ? armNames : flags.arms.split(',');
  const unknown = selected.filter((arm) => !armNames.includes(arm));
  if (unknown.length > 0)
    throw new Error(`--arms: unknown arm(s) ${unknown.join(', ')}; the arms are ${armNames.join(', ')}`);
  fs.mkdirSync(out, { recursive: true });
  for (const seed of seeds) {
    for (const [arm, armOverrides] of arms.filter(([name]) => selected.includes(name))) {
      const armDir = path.join(out, `${arm}_seed${seed}`);
      if (readRun(armDir)) {
        console.error(`[experiment] ${arm} seed ${seed}: finished before (${armDir}), kept`);
        continue;
      }
      // A run killed before it finished continues from its last checkpoint instead of starting over.
      const unfinished = runFolders(armDir)
        .reverse()
        .find((dir) => fs.existsSync(path.join(dir, 'checkpoints', 'last.safetensors')));
      console.error(`[experiment] ${arm} seed ${seed}${unfinished ? `: resuming ${unfinished}` : ''}`);
      await trainRun(
        hrnetApp,
        unfinished
          ? { resume: unfinished, command }
          : {
              config: flags.cfg,
              overrides: [...overrides, ...armOverrides, `TRAIN.SEED=${seed}`, `NAME=${arm}_seed${seed}`],
              outputRoot: out,
              command,
            },
      );
      const runs = finishedRuns(out, armNames);
      writeJsonAtomic(path.join(out, 'results.json'), {
        command,
        experiment: flags.cfg,
        overrides,
        topoWeight,
        runs: runs.map(({ runDir: _dir, ...run }) => run),
      });
      writeFileAtomic(path.join(out, 'results.md'), table(runs, `Command: \`${command}\``));
    }
  }
  console.log(table(finishedRuns(out, armNames), `Command: \`${command}\``));
  console.log(`[experiment] ${out}`);
}

new Command('hrnet-experiment')
  .argument('[overrides...]', 'experiment overrides applied to every run, e.g. TRAIN.END_EPOCH=6')
  .option('--config, --cfg <experiment>', 'experiment short name, file name or path', 'w18_small_v1_32x32')
  .option('--seeds <list>', 'comma-separated seeds', '0,1,2')
  .option('--arms <list>', 'baseline, topology-guided (default both)')
  .option('--topo-weight <w>', 'weight of the topological loss in the topology-guided arm', '0.01')
  .option('--out <dir>', 'experiment folder (default assets/outputs/hrnet/<NAME>/experiment-<timestamp>)')
  .action(experiment)
  .parseAsync()
  .catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exitCode = 1;
  });
