/**
 * @jest-environment ../../packages/common/src/export/__fixtures__/ort-environment.js
 */
// A short run on a slice of the embedded Fashion-MNIST sample through common's run layer: train -> checkpoints,
// TensorBoard, pictures, results -> evaluate the best checkpoint -> the same figures -> export the classifier path to
// ONNX (same test accuracy through onnxruntime); loadCheckpoint restores the model for inference.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { evaluateRun, exportRun, FASHION_MNIST_SAMPLE_DIR, trainRun } from '@research/common';
import { tripletVaeApp } from './app';
import { loadCheckpoint } from './checkpoint';

// Single-threaded wasm: the threaded build's workers are not for a jest worker, and tests share the cores.
process.env.RESEARCH_WASM_THREADS = '0';

const overrides = [
  'backend=wasm',
  `data.root=${FASHION_MNIST_SAMPLE_DIR}`,
  'data.train_limit=120',
  'data.test_limit=40',
  'data.val_size=20',
  'data.batch_size=16',
  'model.dim=16',
  'model.depth=1',
  'model.heads=2',
  'model.mlp_dim=16',
  'model.latent_dim=4',
  'model.embedding_dim=4',
  'model.decoder_channels=4',
  'eval.tsne_points=30',
  'eval.tsne_iterations=250',
];

it('trains, checkpoints and evaluates', async () => {
  const outputRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'triplet-vae-'));
  const quiet = () => undefined;
  const { runDir: run, results } = await trainRun(tripletVaeApp, {
    config: 'fashionmnist',
    overrides,
    epochs: 2,
    seed: 3,
    outputRoot,
    progress: false,
    log: quiet,
  });
  expect(path.dirname(path.dirname(run))).toBe(outputRoot);
  for (const file of [
    'config.yaml',
    'run.json',
    'checkpoints/best.safetensors',
    'checkpoints/last.safetensors',
    'embeddings_tsne.png',
    'triplet_samples_fashionmnist.png',
    'metrics.json',
    'results.json',
    'curves.png',
    'confusion_matrix.png',
    'classification_report.txt',
  ]) {
    expect(fs.existsSync(path.join(run, file))).toBe(true);
  }
  expect(fs.readdirSync(path.join(run, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents'))).toBe(true);
  expect(results.epochs).toBe(2);
  for (const key of ['test_acc', 'knn_acc', 'rec_mse', 'test_triplet_hard', 'test_cls', 'test_rec', 'test_kl'])
    expect(Number.isFinite(results[key])).toBe(true);

  const evaluated = await evaluateRun(tripletVaeApp, {
    target: path.join(run, 'checkpoints/best.safetensors'),
    log: quiet,
  });
  for (const key of ['test_acc', 'knn_acc', 'rec_mse', 'test_loss'])
    expect(evaluated.results[key]).toBeCloseTo(results[key] as number, 5);
  expect(JSON.parse(fs.readFileSync(path.join(evaluated.outDir, 'results.json'), 'utf8')).knn_acc).toBe(
    evaluated.results.knn_acc,
  );

  // The classifier path as ONNX, rebuilt from the run's config: the run's test accuracy through onnxruntime.
  const exported = await exportRun(tripletVaeApp, {
    target: run,
    validate: true,
    comprehensiveValidate: true,
    log: quiet,
  });
  expect(exported.output).toBe(path.join(run, 'checkpoints', 'best.onnx'));
  expect(exported.validation?.max_abs_diff).toBeLessThanOrEqual(1e-4);
  expect(exported.dataset).toMatchObject({
    examples: 40,
    accuracy_onnx: evaluated.results.test_acc,
    prediction_agreement: 1,
  });

  const { model, config } = loadCheckpoint(path.join(run, 'checkpoints/best.safetensors'));
  expect(config.model.latent_dim).toBe(4);
  expect(config.seed).toBe(3);
  const logits = model.forward(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, false).logits;
  expect(logits.shape).toEqual([2, 10]);
  expect(() =>
    loadCheckpoint(path.join(run, 'checkpoints/best.safetensors'), { overrides: ['model.latent_dim=5'] }),
  ).toThrow(/shape/);
  fs.rmSync(outputRoot, { recursive: true, force: true });
});
