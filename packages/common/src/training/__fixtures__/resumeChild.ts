// Child process of resume.test.ts: trains the tiny MLP with a checkpoint after every epoch.
// Usage: node -r tsx/cjs resumeChild.ts <runDir> <out.json> [resumeFrom]
// With HANG_AT="<epoch>:<batch>" it prints "hanging at ..." after that batch and waits to be killed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { syntheticLoader, tinyMlp } from './synthetic';
import {
  Adam,
  MetricsLogger,
  ModelCheckpoint,
  Trainer,
  classificationModule,
  cosineAnnealingLR,
  seedEverything,
  type Callback,
} from '..';

const SEED = 21;
const EPOCHS = 4;

async function main(): Promise<void> {
  const [runDir, outFile, resumeFrom] = process.argv.slice(2);
  tf.enableProdMode();
  await tf.setBackend('cpu');
  seedEverything(SEED);
  const model = tinyMlp(0.25);
  const hangAt = process.env.HANG_AT;
  const reporter: Callback = {
    onTrainBatchEnd: async (_t, _m, info) => {
      const at = `${info.epoch}:${info.batchIndex}`;
      process.stdout.write(`batch ${at}\n`);
      if (at === hangAt) {
        process.stdout.write(`hanging at ${at}\n`);
        await new Promise((resolve) => setTimeout(resolve, 600_000));
      }
    },
  };
  const trainer = new Trainer({
    maxEpochs: EPOCHS,
    optimizer: new Adam({ lr: 0.02, weightDecay: 1e-4 }),
    schedule: cosineAnnealingLR({ tMax: EPOCHS * 8, etaMin: 1e-3, interval: 'step' }),
    gradClipNorm: 5,
    seed: SEED,
    runDir,
    callbacks: [new ModelCheckpoint({ monitor: 'val_acc', mode: 'max' }), new MetricsLogger(), reporter],
  });
  const result = await trainer.fit(
    classificationModule(model),
    syntheticLoader(64, SEED, 8),
    syntheticLoader(32, SEED + 1, 8),
    {
      resumeFrom,
    },
  );
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  fs.writeFileSync(outFile, JSON.stringify({ history: result.history, weights }));
  process.stdout.write(`done ${path.basename(outFile)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
