// Trains the reference CNN of ../shared/reference/torch_reference.py through the run layer, exactly as its `fit`
// does (Adam 1e-3, batch 64, cross-entropy, test accuracy after each epoch); with_torch=true runs PyTorch's fit after
// it in the same run and prints both.
//
//   npx nx run common:fit-reference                       # 2 epochs; full Fashion-MNIST if imported, else the sample
//   npx nx run common:fit-reference -- --epochs 2 with_torch=true
//   npx nx run common:fit-reference -- training.trainer_type=dp training.dp.target_epsilon=3   # DP-SGD (Opacus)
//
// Output: one JSON object per line ({"epoch", "test_acc", "wall_s"}), as torch_reference.py prints, then a summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  BACKEND_PREFERENCES,
  classificationModule,
  createModel,
  DataLoader,
  imageExamples,
  intIn,
  loadFashionMnist,
  numberIn,
  runApp,
  trainingPluginsFromConfig,
  trainerTypeSchema,
  type TrainerTypeSection,
  workspaceRoot,
  type AppDefinition,
  type BackendPreference,
  type Callback,
  type ConfigSchema,
} from '../../src';

interface ReferenceFitConfig {
  experiment: { name: string };
  seed: number;
  backend: BackendPreference;
  batch_size: number;
  epochs: number;
  lr: number;
  with_torch: boolean;
  training: TrainerTypeSection;
}

const positive = numberIn(0, Infinity, { minExclusive: true });

const schema: ConfigSchema<ReferenceFitConfig> = {
  experiment: {
    name: { doc: 'run folder name under assets/outputs/common', format: String, default: 'reference-cnn' },
  },
  seed: { doc: 'seeds weights and data order', format: intIn(0, 2 ** 32 - 1), default: 0 },
  backend: { doc: 'tfjs backend', format: [...BACKEND_PREFERENCES], default: 'auto' },
  batch_size: { doc: 'training batch size', format: intIn(1), default: 64 },
  epochs: { doc: 'epochs', format: intIn(1), default: 2 },
  lr: { doc: 'Adam learning rate', format: positive, default: 1e-3 },
  with_torch: {
    doc: "then run torch_reference.py's fit with the same epochs and compare",
    format: Boolean,
    default: false,
  },
  training: trainerTypeSchema,
};

/** Prints torch_reference.py's per-epoch line: test accuracy and wall time since the fit began. */
function epochLines(): Callback {
  let start = 0;
  return {
    onFitStart: () => void (start = performance.now()),
    onEpochEnd(_trainer, _module, record) {
      const line = {
        epoch: record.epoch,
        test_acc: Number(record.val_acc.toFixed(4)),
        wall_s: Number(((performance.now() - start) / 1000).toFixed(1)),
        // dp: the privacy spent so far (Opacus' RDP accountant)
        ...(record.epsilon === undefined ? {} : { epsilon: Number(record.epsilon.toFixed(3)) }),
      };
      console.log(JSON.stringify(line));
    },
  };
}

function runTorch(epochs: number): Record<string, number> | { torch: string } {
  const script = path.resolve(workspaceRoot(), '..', 'shared', 'reference', 'torch_reference.py');
  if (!fs.existsSync(script)) return { torch: `skipped: ${script} not found` };
  console.log(`running PyTorch: /usr/bin/python3 ${script} fit --epochs ${epochs}`);
  const out = spawnSync('/usr/bin/python3', [script, 'fit', '--epochs', String(epochs)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0)
    return { torch: `failed (exit ${out.status}): is python3-torch installed? apt-get install -y python3-torch` };
  const lines = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { epoch: number; test_acc: number; wall_s: number });
  for (const l of lines) console.log(JSON.stringify({ torch: true, ...l }));
  const last = lines[lines.length - 1];
  return { torch_test_acc: last.test_acc, torch_wall_s: last.wall_s };
}

const referenceFit: AppDefinition<ReferenceFitConfig> = {
  project: 'common',
  description: 'the reference CNN fit of ../shared/reference/torch_reference.py, through the run layer',
  configDir: __dirname,
  defaultConfig: 'config',
  schema,
  keys: { epochs: 'epochs', seed: 'seed', experimentName: 'experiment.name' },
  trainer: (config) => ({
    epochs: config.epochs,
    seed: config.seed,
    backend: config.backend,
    optimizer: { name: 'adam', lr: config.lr },
    logEveryNSteps: 100,
    checkpoint: { monitor: 'val_acc', mode: 'max' },
  }),
  setup(config, ctx) {
    const train = loadFashionMnist({ split: 'train' });
    const test = loadFashionMnist({ split: 'test' });
    if (train.source === 'sample')
      console.log(
        '(import the full set: npx tools import-dataset fashion-mnist --from ../shared/datasets/fashion-mnist)',
      );
    const model = createModel('reference-cnn');
    const testLoader = new DataLoader(test.dataset, { batchSize: 1000, shuffle: false });
    let fitStarted = 0;
    const plugins =
      ctx.stage === 'fit'
        ? trainingPluginsFromConfig(config.training, {
            examples: imageExamples(train.dataset),
            batchSize: config.batch_size,
            epochs: config.epochs,
            seed: config.seed,
          })
        : undefined;
    if (plugins) ctx.log(`[common] trainer: ${plugins.description}`);
    return {
      module: classificationModule(model),
      train:
        plugins?.trainSource ??
        new DataLoader(train.dataset, { batchSize: config.batch_size, shuffle: true, seed: config.seed }),
      strategy: plugins?.strategy,
      precision: plugins?.precision,
      // torch_reference.py reports the test accuracy after each epoch: the test split is the validation split here.
      val: testLoader,
      test: testLoader,
      data: `Fashion-MNIST ${train.source} (${train.dataset.length} train / ${test.dataset.length} test) from ${train.dir}`,
      parameters: model.countParams(),
      callbacks: [
        ...(plugins?.callbacks ?? []),
        epochLines(),
        { onFitStart: () => void (fitStarted = performance.now()) },
      ],
      classifier: { predict: (batch) => model.predict(batch.x) as never, classNames: train.dataset.classNames, model },
      afterTest({ metrics }) {
        const ours = {
          trainer_type: config.training.trainer_type,
          test_acc: Number(metrics.test_acc.toFixed(4)),
          wall_s: Number(((performance.now() - fitStarted) / 1000).toFixed(1)),
        };
        if (!config.with_torch) return ours;
        const torch = runTorch(config.epochs);
        const compared =
          'torch_test_acc' in torch
            ? {
                acc_diff_points: Number(((ours.test_acc - torch.torch_test_acc) * 100).toFixed(2)),
                wall_ratio: Number((torch.torch_wall_s / ours.wall_s).toFixed(3)),
              }
            : {};
        const summary = { ...ours, ...torch, ...compared };
        console.log(JSON.stringify({ summary: 'reference-cnn fit', ...summary }));
        return summary;
      },
      dispose: () => model.dispose(),
    };
  },
};

void runApp(referenceFit);
