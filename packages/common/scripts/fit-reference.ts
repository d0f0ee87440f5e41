// Trains the reference CNN of ../shared/reference/torch_reference.py through the Trainer, exactly as its `fit` does
// (Adam 1e-3, batch 64, cross-entropy, test accuracy after each epoch), and with --with-torch runs PyTorch's fit
// after it in the same run and prints both.
//
//   npx nx run common:fit-reference                       # 2 epochs; full Fashion-MNIST if imported, else the sample
//   npx nx run common:fit-reference -- --epochs 2 --with-torch
//
// Output: one JSON object per line ({"epoch", "test_acc", "wall_s"}), as torch_reference.py prints, then a summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  Adam, BACKEND_PREFERENCES, type BackendPreference, DataLoader, MetricsLogger, ModelCheckpoint, ProgressBar,
  TensorBoardLogger, Trainer, classificationModule, createModel, initBackend, loadFashionMnist, outputsDir,
  saveConfig, seedEverything, workspaceRoot, type Callback,
} from '../src';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '64' },
    lr: { type: 'string', default: '1e-3' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'auto' },
    'with-torch': { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string, integer: boolean): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  }
  return v;
}

/** Prints torch_reference.py's per-epoch line: test accuracy and wall time since the fit began. */
function epochLines(start: number): Callback {
  return {
    onEpochEnd(_trainer, _module, record) {
      const line = { epoch: record.epoch + 1, test_acc: Number(record.val_acc.toFixed(4)), wall_s: Number(((performance.now() - start) / 1000).toFixed(1)) };
      console.log(JSON.stringify(line));
    },
  };
}

function runTorch(epochs: number): { test_acc: number; wall_s: number } | undefined {
  const script = path.resolve(workspaceRoot(), '..', 'shared', 'reference', 'torch_reference.py');
  if (!fs.existsSync(script)) {
    console.log(JSON.stringify({ torch: `skipped: ${script} not found` }));
    return undefined;
  }
  console.log(`running PyTorch: /usr/bin/python3 ${script} fit --epochs ${epochs}`);
  const out = spawnSync('/usr/bin/python3', [script, 'fit', '--epochs', String(epochs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (out.status !== 0) {
    console.log(JSON.stringify({ torch: `failed (exit ${out.status}): is python3-torch installed? apt-get install -y python3-torch` }));
    return undefined;
  }
  const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; test_acc: number; wall_s: number });
  for (const l of lines) console.log(JSON.stringify({ torch: true, ...l }));
  return lines[lines.length - 1];
}

async function main(): Promise<void> {
  const epochs = positive('epochs', args.epochs, true);
  const batchSize = positive('batch-size', args['batch-size'], true);
  const lr = positive('lr', args.lr, false);
  const seed = Number(args.seed);
  if (!BACKEND_PREFERENCES.includes(args.backend as BackendPreference)) {
    throw new Error(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got '${args.backend}'`);
  }
  const backend = await initBackend(args.backend as BackendPreference);

  const train = loadFashionMnist({ split: 'train' });
  const test = loadFashionMnist({ split: 'test' });
  console.log(`data: Fashion-MNIST ${train.source} (${train.dataset.length} train / ${test.dataset.length} test) from ${train.dir}`);
  if (train.source === 'sample') console.log('  (import the full set: npx tools import-dataset fashion-mnist --from ../shared/datasets/fashion-mnist)');

  const runDir = path.join(outputsDir('common'), 'reference-cnn', new Date().toISOString().replace(/[:.]/g, '-'));
  const config = { model: 'reference-cnn', data: { name: 'fashion-mnist', source: train.source, batch_size: batchSize }, train: { epochs, optimizer: 'adam', lr, seed }, backend };
  saveConfig(runDir, config);

  seedEverything(seed);
  const model = createModel('reference-cnn');
  const trainer = new Trainer({
    maxEpochs: epochs, optimizer: new Adam({ lr }), seed, runDir, logEveryNSteps: 100,
    callbacks: [
      new ProgressBar(), new MetricsLogger(), new TensorBoardLogger(),
      new ModelCheckpoint({ monitor: 'val_acc', mode: 'max' }), epochLines(performance.now()),
    ],
  });
  const start = performance.now();
  const result = await trainer.fit(
    classificationModule(model),
    new DataLoader(train.dataset, { batchSize, shuffle: true, seed }),
    new DataLoader(test.dataset, { batchSize: 1000, shuffle: false }),
  );
  const wallS = (performance.now() - start) / 1000;
  const last = result.history[result.history.length - 1];
  const ours = { test_acc: Number(last.val_acc.toFixed(4)), wall_s: Number(wallS.toFixed(1)) };

  const torch = args['with-torch'] ? runTorch(epochs) : undefined;
  const summary = {
    summary: 'reference-cnn fit', backend: backend.name, data: train.source, epochs, ...ours,
    ...(torch ? { torch_test_acc: torch.test_acc, torch_wall_s: torch.wall_s, acc_diff_points: Number(((ours.test_acc - torch.test_acc) * 100).toFixed(2)), wall_ratio: Number((torch.wall_s / ours.wall_s).toFixed(3)) } : {}),
    run_dir: runDir,
  };
  console.log(JSON.stringify(summary));
  model.dispose();
}

main().catch((err: unknown) => {
  console.error(`fit-reference: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
