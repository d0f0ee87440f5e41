// The project's experiment: multi-view ViT vs single-view ViT (each window) vs the CNN baseline, several seeds, on
// the synthetic set (or data=gravity_spy). Each run trains with common's Trainer on the composed config, keeps the
// weights of the best val_accuracy epoch in memory, tests them, and prints one JSON line; then a summary table
// (mean ± std of test accuracy and macro F1, fit time) and, for the multi-view runs, view_attention.png.
//
//   npx tsx projects/gravity-vit/scripts/compare.ts [--arms multiview_vit,vit@0.5,vit@1.0,vit@2.0,vit@4.0,baseline_cnn]
//       [--seeds 0,1,2] [--out <dir>] [key=value overrides for every arm, e.g. train.epochs=15]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  type Callback,
  EarlyStopping,
  Trainer,
  createOptimizer,
  createSchedule,
  initBackend,
  outputsDir,
  seedEverything,
  writeFileAtomic,
} from '@research/common';
import { composeGravityConfig, createGravityExperiment, trainerSettings } from '../src';

const { values, positionals } = parseArgs({
  options: {
    arms: { type: 'string', default: 'multiview_vit,vit@0.5,vit@1.0,vit@2.0,vit@4.0,baseline_cnn' },
    seeds: { type: 'string', default: '0,1,2' },
    out: { type: 'string' },
  },
  allowPositionals: true,
});

function armOverrides(arm: string): string[] {
  const [model, view] = arm.split('@');
  return [`model=${model}`, ...(view ? [`model.view=${view}`] : [])];
}

/** Keeps a copy of the weights of the best epoch (by val_accuracy) to test them after the fit. */
class BestWeights implements Callback {
  best = -Infinity;
  bestEpoch = -1;
  private saved: tf.Tensor[] = [];
  constructor(private readonly model: tf.LayersModel) {}
  onEpochEnd(_t: Trainer, _m: unknown, record: { epoch: number; val_accuracy?: number }): void {
    const v = record.val_accuracy ?? -Infinity;
    if (v > this.best) {
      this.best = v;
      this.bestEpoch = record.epoch;
      tf.dispose(this.saved);
      this.saved = this.model.getWeights().map((w) => w.clone());
    }
  }
  restore(): void {
    if (this.saved.length) this.model.setWeights(this.saved);
    tf.dispose(this.saved);
  }
}

function meanStd(xs: number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return `${(100 * mean).toFixed(2)} ± ${(100 * std).toFixed(2)}`;
}

async function main(): Promise<void> {
  const arms = values.arms.split(',');
  const seeds = values.seeds.split(',').map(Number);
  const out =
    values.out ?? path.join(outputsDir('gravity-vit'), 'compare', new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(out, { recursive: true });
  const first = composeGravityConfig(positionals).config;
  const backend = await initBackend(first.train.device, { log: () => undefined });
  console.log(`backend ${JSON.stringify(backend)}; writing to ${out}`);
  const results: Record<string, { acc: number; f1: number; seconds: number; epoch: number }[]> = {};
  // Seeds outside, arms inside: whenever the script is stopped, every arm has the same number of runs.
  for (const seed of seeds) {
    for (const arm of arms) {
      const { config } = composeGravityConfig([...armOverrides(arm), ...positionals, `seed=${seed}`]);
      seedEverything(seed);
      const exp = await createGravityExperiment(config, 'fit', (l) => console.log(l));
      const s = trainerSettings(config);
      const best = new BestWeights(exp.module.model);
      const trainer = new Trainer({
        maxEpochs: s.epochs,
        optimizer: createOptimizer(s.optimizer),
        schedule: createSchedule(s.schedule),
        gradClipNorm: s.gradClipNorm,
        seed,
        callbacks: [...exp.callbacks, new EarlyStopping(s.earlyStopping), best],
      });
      const started = performance.now();
      const fit = await trainer.fit(exp.module, exp.train!, exp.val);
      const seconds = (performance.now() - started) / 1000;
      best.restore();
      await trainer.test(exp.module, exp.test);
      const dir = path.join(out, `${arm.replace('@', '_')}_seed${seed}`);
      fs.mkdirSync(dir, { recursive: true });
      await exp.afterTest(dir, {}, best.bestEpoch);
      const scores = exp.module.predictions.test.scores();
      const line = {
        arm,
        seed,
        test_accuracy: scores.accuracy,
        test_macro_f1: scores.macro_f1,
        best_epoch: best.bestEpoch,
        epochs: fit.epochs,
        fit_seconds: Number(seconds.toFixed(1)),
        parameters: exp.parameters,
      };
      console.log(JSON.stringify(line));
      writeFileAtomic(path.join(dir, 'result.json'), JSON.stringify({ ...line, history: fit.history }, null, 1) + '\n');
      (results[arm] ??= []).push({ acc: scores.accuracy, f1: scores.macro_f1, seconds, epoch: best.bestEpoch });
      exp.dispose();
      writeSummary(results, out);
    }
  }
}

function writeSummary(results: Record<string, { acc: number; f1: number; seconds: number }[]>, out: string): void {
  const table = [
    '| arm | test accuracy % (mean ± std) | macro F1 % | fit time per run (s) |',
    '| --- | --- | --- | --- |',
  ];
  for (const [arm, rs] of Object.entries(results)) {
    table.push(
      `| ${arm} | ${meanStd(rs.map((r) => r.acc))} | ${meanStd(rs.map((r) => r.f1))} | ${(rs.reduce((a, r) => a + r.seconds, 0) / rs.length).toFixed(0)} |`,
    );
  }
  console.log(table.join('\n'));
  writeFileAtomic(path.join(out, 'summary.md'), table.join('\n') + '\n');
}

main().catch((err: unknown) => {
  console.error(`compare: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
