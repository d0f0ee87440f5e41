// The hrnet command line (common's run layer): `train`, `evaluate` (the `valid` target), and this paper's own
// `analyze` (a checkpoint's topology report, with its run's config), `summary` (an experiment's layer table) and
// `rank` (finished runs by their topological gap). `--help` on each lists its options; train's lists configs and keys.
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadConfig, locateRun, runApp, buildHrnet } from '@research/common';
import { analyzeCheckpoint } from './analysis';
import { hrnetApp } from './app';
import { checkExperiment, hrnetSchema, loadExperiment, type HrnetExperiment } from './config';
import { formatSummary } from './summary';
import { pearson, rankRuns, readRunSummary, spearman } from './topology/rank';

void runApp(hrnetApp, (program) => {
  program
    .command('analyze')
    .description("the topology report of a checkpoint (per-layer diagrams, distances, plots), with its run's config")
    .argument('[overrides...]', "changes to the run's config, e.g. TOPO.SAMPLES=128")
    .requiredOption(
      '--checkpoint <path>',
      'a run folder (its best checkpoint) or a .safetensors file in <run>/checkpoints/',
    )
    .option('--out <dir>', 'report folder (default <run>/analysis)')
    .action(async (overrides: string[], flags: { checkpoint: string; out?: string }) => {
      const run = locateRun(flags.checkpoint, 'best');
      const exp = checkExperiment(loadConfig<HrnetExperiment>(run.configFile, hrnetSchema, overrides), run.configFile);
      await initBackend(exp.BACKEND);
      const result = await analyzeCheckpoint(exp, run.checkpoint, { out: flags.out });
      console.log(`[hrnet] ${result.data}`);
      console.log(
        `[hrnet] topology report: ${result.dir} (${result.files.length} files), topo_gap ${result.measurement.metrics.topo_gap.toFixed(4)}`,
      );
    });
  program
    .command('summary')
    .description("an experiment's layer table and parameter counts")
    .option('--config, --cfg <experiment>', 'experiment short name, file name or path', hrnetApp.defaultConfig)
    .action(async (flags: { cfg: string }) => {
      const exp = loadExperiment(flags.cfg);
      tf.enableProdMode();
      // Only shapes and counts are needed: the cpu backend and zero-filled weights build even W64 in well under a second.
      await tf.setBackend('cpu');
      const { model } = buildHrnet(exp.MODEL, { init: 'zeros' });
      const [width, height] = exp.MODEL.IMAGE_SIZE;
      console.log(`Experiment: ${exp.NAME}`);
      console.log(`Input: ${height}x${width}x${exp.MODEL.IN_CHANNELS}, classes: ${exp.MODEL.NUM_CLASSES}`);
      console.log(formatSummary(model));
      model.dispose();
    });
  program
    .command('rank')
    .description('finished runs ranked by their topological train/val gap at the selected epoch')
    .argument('<runs...>', 'run folders')
    .action((runs: string[]) => {
      const ranked = rankRuns(runs.map(readRunSummary));
      console.log('| rank | topo_gap | val top-1 | test top-1 | generalisation gap | run |');
      console.log('| --- | --- | --- | --- | --- | --- |');
      ranked.forEach((r, i) =>
        console.log(
          `| ${i + 1} | ${r.topoGap.toFixed(4)} | ${(100 * r.valTop1).toFixed(2)} | ${(100 * r.testTop1).toFixed(2)} | ${(100 * r.generalizationGap).toFixed(2)} | ${r.runDir} |`,
        ),
      );
      if (ranked.length >= 3) {
        const g = ranked.map((r) => r.topoGap);
        const e = ranked.map((r) => r.generalizationGap);
        console.log(
          `\ntopo_gap vs generalisation gap: Pearson ${pearson(g, e).toFixed(3)}, Spearman ${spearman(g, e).toFixed(3)} (${ranked.length} runs)`,
        );
      }
    });
});
