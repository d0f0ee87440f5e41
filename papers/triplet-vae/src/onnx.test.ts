/**
 * @jest-environment ../../packages/common/src/export/__fixtures__/ort-environment.js
 */
// The classifier path (encoder -> [mu] -> classifier, nested models) through ONNX equals forward(x, false).logits,
// in both modes, at opsets 17 (Erf GELU) and 20 (Gelu op), NCHW and NHWC; a run's checkpoint exports beside itself.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Adam,
  checkOnnxWithPython,
  exportToOnnx,
  inferOnnx,
  maxAbsDiff,
  pythonOnnxAvailable,
  saveCheckpoint,
  saveConfig,
  Trainer,
  ImageTransformer,
  MultiTaskImageTransformer,
  tripletVaeClassifier,
  type TripletVaeModel,
} from '@research/common';
import * as tf from '@tensorflow/tfjs';
import { modelForConfig } from './checkpoint';
import { composeTripletVaeConfig } from './config';
import { exportClassifierOnnx } from './onnx';

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triplet-vae-onnx-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const base = {
  inputShape: [28, 28, 1] as [number, number, number],
  numClasses: 10,
  patchSize: 7,
  dim: 16,
  depth: 1,
  heads: 2,
  mlpDim: 32,
  embeddingDim: 8,
};

/** Non-zero class token and positions (the paper initialises them with std 0.02; make them matter). */
function perturbTokens(model: TripletVaeModel): void {
  const layer = model.models.encoder.getLayer('cls_pos');
  layer.setWeights(layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 11 + i)));
}

describe('triplet-VAE classifier path to ONNX', () => {
  const models: [string, () => TripletVaeModel][] = [
    ['simple', () => new ImageTransformer(base)],
    ['multitask', () => new MultiTaskImageTransformer({ ...base, latentDim: 6, decoderChannels: 4 })],
  ];
  it.each(models)(
    '%s mode: onnxruntime = forward(x, false).logits (opset 17/20, NCHW/NHWC, batch 1 and 5)',
    async (mode, build) => {
      const model = build();
      perturbTokens(model);
      const graph = tripletVaeClassifier(model);
      const files: string[] = [];
      for (const [opset, layout] of [
        [17, 'nchw'],
        [20, 'nchw'],
        [17, 'nhwc'],
      ] as const) {
        const file = path.join(dir, `${mode}-${opset}-${layout}.onnx`);
        fs.writeFileSync(file, exportToOnnx(graph, { opset, layout }).bytes);
        if (opset === 17) files.push(file);
        for (const batch of [1, 5]) {
          const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', batch) as tf.Tensor4D;
          const expected = model.forward(x, false).logits;
          const actual = (await inferOnnx(file, x)) as tf.Tensor;
          expect(actual.shape).toEqual([batch, 10]);
          expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(1e-4);
          tf.dispose([x, expected, actual]);
        }
      }
      if (pythonOnnxAvailable()) expect(checkOnnxWithPython(files).map((r) => r.error)).toEqual([null, null]);
    },
  );

  it("exports a run's checkpoint (architecture from its config.yaml) to best.onnx beside it", async () => {
    const runDir = path.join(dir, 'run');
    const { config } = composeTripletVaeConfig('fashionmnist', [
      'model.dim=16',
      'model.depth=1',
      'model.heads=2',
      'model.mlp_dim=32',
      'model.latent_dim=6',
    ]);
    saveConfig(runDir, config);
    const trained = modelForConfig(config);
    perturbTokens(trained);
    const checkpoint = path.join(runDir, 'checkpoints', 'best.safetensors');
    const module = {
      models: trained.models,
      trainingStep: () => {
        throw new Error('not trained here');
      },
    };
    const ckpt = new Trainer({ maxEpochs: 1, optimizer: new Adam({ lr: 1e-3 }) }).checkpoint(module);
    saveCheckpoint(checkpoint, ckpt);
    tf.dispose(ckpt.tensors);

    const { output, validation } = await exportClassifierOnnx(checkpoint, { validate: true });
    expect(output).toBe(path.join(runDir, 'checkpoints', 'best.onnx'));
    expect(validation?.passed).toBe(true);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    expect(maxAbsDiff((await inferOnnx(output, x)) as tf.Tensor, trained.forward(x, false).logits)).toBeLessThanOrEqual(
      1e-4,
    );
  });
});
