/**
 * @jest-environment ../../packages/common/src/export/__fixtures__/ort-environment.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Trainer, createOptimizer, createSchedule, exportToOnnx, validateOnnxOnDataset } from '@research/common';
import { scheduleSpec, trainerSettings } from './build';
import { composeGravityConfig } from './config';
import { createGravityExperiment } from './experiment';

const FIXTURE = path.join(__dirname, 'data', '__fixtures__', 'gravity-spy-tiny.h5');
const schedules = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'scripts', 'golden', 'schedule_golden.json'), 'utf8'),
);

describe('scheduleSpec', () => {
  interface ScheduleCase {
    epochs: number;
    warmup_epochs: number;
    lrs: number[];
  }
  const cases: [number, ScheduleCase][] = schedules.cases.map((c: ScheduleCase) => [c.epochs, c]);
  it.each(cases)('%i epochs: the LRs of torch SequentialLR(LinearLR, CosineAnnealingLR)', (_e, c) => {
    const { config } = composeGravityConfig([
      `train.epochs=${c.epochs}`,
      `train.scheduler.warmup_epochs=${c.warmup_epochs}`,
    ]);
    const schedule = createSchedule(scheduleSpec(config));
    expect(schedule.interval).toBe('epoch');
    const ours = c.lrs.map((_: number, t: number) => schedule.lrAt(t, config.train.optimizer.lr));
    ours.forEach((lr: number, t: number) => expect(lr).toBeCloseTo(c.lrs[t], 12));
  });

  it('cuts a warm-up as long as the run and maps the rest of the recipe to the Trainer', () => {
    const { config } = composeGravityConfig(['train=smoke', 'train.scheduler.warmup_epochs=5']);
    expect(scheduleSpec(config)).toMatchObject({ name: 'warmupCosine', warmupSteps: 1, totalSteps: 2 });
    const s = trainerSettings(composeGravityConfig().config);
    expect(s).toMatchObject({
      backend: 'auto',
      gradClipNorm: 1,
      optimizer: { name: 'adamw', lr: 1e-4, weightDecay: 0.05 },
      earlyStopping: { monitor: 'val_accuracy', mode: 'max', patience: 10 },
    });
  });
});

describe('createGravityExperiment on the h5py fixture', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-exp-'));
    fs.copyFileSync(FIXTURE, path.join(dir, 'tiny.h5'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [
      'multiview_vit',
      [
        'model.input_size=[16,32]',
        'model.vit.dim=16',
        'model.vit.depth=1',
        'model.head_dim=16',
        'model.fusion.mlp_dim=16',
      ],
    ],
    ['vit', ['model=vit', 'model.view=4.0', 'model.input_size=[32,48]', 'model.vit.dim=16', 'model.vit.depth=1']],
    [
      'baseline_cnn',
      ['model=baseline_cnn', 'model.input_size=[76,76]', 'model.cnn.filters=[2,2,2,2]', 'model.cnn.dense_units=8'],
    ],
  ])('%s: one epoch, the scores in the epoch record, test and the artefacts', async (name, overrides) => {
    const store = path.join(dir, `mlruns-${name}`);
    const { config } = composeGravityConfig([
      ...overrides,
      'train=smoke',
      'data.class_weights=true',
      `data.h5=${path.join(dir, 'tiny.h5')}`,
      'data.batch_size=2',
      `tracking.store=${store}`,
      '+experiment.name=unit',
    ]);
    const exp = await createGravityExperiment(config, 'fit');
    expect(exp.data).toMatch(/5 train \/ 2 validation \/ 2 test/);
    const settings = trainerSettings(config);
    const out = path.join(dir, name);
    fs.mkdirSync(out);
    const trainer = new Trainer({
      runDir: out,
      maxEpochs: 1,
      optimizer: createOptimizer(settings.optimizer),
      schedule: createSchedule(settings.schedule),
      gradClipNorm: settings.gradClipNorm,
      callbacks: exp.callbacks,
    });
    const fit = await trainer.fit(exp.module, exp.train!, exp.val);
    expect(Object.keys(fit.history[0])).toEqual(
      expect.arrayContaining(['train_loss', 'val_accuracy', 'val_balanced_accuracy', 'val_macro_f1']),
    );
    const test = await trainer.test(exp.module, exp.test);
    expect(test.test_accuracy).toBeGreaterThanOrEqual(0);
    const figures = await exp.afterTest(out, test, 0);
    expect(Object.keys(figures)).toEqual(['test_balanced_accuracy', 'test_macro_f1', 'test_weighted_f1']);
    // The MLflow file store got the run: experiment 'unit', epoch metrics, the test metrics, the run folder, FINISHED.
    const run = exp.mlflow!.trackedRun!;
    const runDir = path.join(store, run.experimentId, run.runId);
    expect(fs.readFileSync(path.join(store, run.experimentId, 'meta.yaml'), 'utf8')).toContain('name: unit\n');
    expect(fs.readFileSync(path.join(runDir, 'metrics', 'val_macro_f1'), 'utf8')).toMatch(/^\d{13} \S+ 1\n$/); // epoch 1
    expect(fs.existsSync(path.join(runDir, 'metrics', 'test_accuracy'))).toBe(true);
    expect(fs.readFileSync(path.join(runDir, 'params', 'model.name'), 'utf8')).toBe(name);
    expect(fs.existsSync(path.join(runDir, 'artifacts', 'confusion_matrix.png'))).toBe(true);
    expect(fs.readFileSync(path.join(runDir, 'meta.yaml'), 'utf8')).toMatch(/\nstatus: 3\n/);
    expect(fs.existsSync(path.join(out, 'view_attention.png'))).toBe(name === 'multiview_vit');
    const batch = { x: tf.zeros(exp.module.model.inputs[0].shape.map((d) => d ?? 1)) };
    const logits = tf.tidy(() => exp.classifier.predict(batch));
    expect(logits.shape).toEqual([1, 22]);
    tf.dispose([logits, batch.x]);
    // The classifier output as ONNX (what `export` writes): the test split gives the same predictions.
    const onnx = path.join(out, 'model.onnx');
    fs.writeFileSync(onnx, exportToOnnx(exp.classifier.model).bytes);
    const checked = await validateOnnxOnDataset(exp.classifier.model, onnx, exp.test, { report: false });
    expect(checked).toMatchObject({ examples: exp.test.size, prediction_agreement: 1 });
    expect(checked.accuracy_onnx).toBe(checked.accuracy_tfjs);
    expect(checked.max_abs_logit_diff).toBeLessThanOrEqual(1e-4);
    exp.dispose();
  });
});
