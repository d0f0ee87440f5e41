/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// A Trainer checkpoint -> ONNX beside it -> validation report; inferOnnx gives what the tfjs model gives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataLoader, loadFashionMnist } from '../data';
import { createModel } from '../models';
import { Adam, classificationModule, saveCheckpoint, Trainer } from '../training';
import { tmpDir } from './__fixtures__/round-trip';
import { exportCheckpoint } from './checkpoint-export';
import { exportToOnnx } from './exporter';
import { inferOnnx, OnnxPredictor } from './infer';
import { maxAbsDiff, VALIDATION_REPORT } from './validate';

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = tmpDir();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes the checkpoint a Trainer would write for `model` (weights `model/model/<i>`). */
function writeCheckpoint(model: tf.LayersModel, file: string): void {
  const ckpt = new Trainer({ maxEpochs: 1, optimizer: new Adam({ lr: 1e-3 }) }).checkpoint(classificationModule(model));
  saveCheckpoint(file, ckpt);
  tf.dispose(ckpt.tensors);
}

describe('exportCheckpoint', () => {
  it('loads a checkpoint into a fresh model, writes best.onnx beside it, validates it two ways', async () => {
    const trained = createModel('reference-cnn');
    const checkpoint = path.join(dir, 'run', 'checkpoints', 'best.safetensors');
    fs.mkdirSync(path.dirname(checkpoint), { recursive: true });
    writeCheckpoint(trained, checkpoint);

    const fresh = createModel('reference-cnn'); // other random weights until the checkpoint is loaded
    const test = loadFashionMnist({ split: 'test' }).dataset;
    const source = new DataLoader(test, { batchSize: 32, shuffle: false, samplesPerEpoch: 64 });
    const result = await exportCheckpoint({
      model: fresh,
      checkpoint,
      validate: { batch: 3 },
      dataset: source,
      benchmark: { batchSizes: [1, 4], seconds: 0.05 },
    });

    expect(result.output).toBe(path.join(dir, 'run', 'checkpoints', 'best.onnx'));
    expect(result.validation?.passed).toBe(true);
    expect(result.validation?.max_abs_diff).toBeLessThanOrEqual(1e-4);
    expect(result.benchmark?.map((r) => r.batch)).toEqual([1, 4]);
    result.benchmark?.forEach((r) => expect(r.onnx_img_s).toBeGreaterThan(0));

    // The ONNX file computes the trained model (not the fresh one's initial weights).
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 9);
    const viaOnnx = (await inferOnnx(result.output, x)) as tf.Tensor;
    expect(maxAbsDiff(viaOnnx, trained.predict(x) as tf.Tensor)).toBeLessThanOrEqual(1e-4);

    // The split: both agree, and the accuracy is the trained model's own, computed here directly.
    let correct = 0;
    for await (const batch of source.batches(0)) {
      correct += tf.tidy(
        () => tf.sum(tf.equal(tf.argMax(trained.predict(batch.x) as tf.Tensor, -1), batch.y.toInt())).dataSync()[0],
      );
      tf.dispose(Object.values(batch));
    }
    const dataset = result.dataset;
    expect(dataset?.examples).toBe(64);
    expect(dataset?.accuracy_tfjs).toBeCloseTo(correct / 64, 10);
    expect(dataset?.accuracy_onnx).toBe(dataset?.accuracy_tfjs);
    expect(dataset?.prediction_agreement).toBe(1);
    expect(dataset?.max_abs_logit_diff).toBeLessThanOrEqual(1e-4);
    expect(dataset?.mean_abs_logit_diff).toBeLessThanOrEqual(dataset?.max_abs_logit_diff as number);

    const report = JSON.parse(fs.readFileSync(path.join(path.dirname(checkpoint), VALIDATION_REPORT), 'utf8'));
    expect(report['best.onnx'].onnx).toBe(path.resolve(result.output));
    expect(report['best.onnx'].random_inputs.max_abs_diff).toBe(result.validation?.max_abs_diff);
    expect(report['best.onnx'].dataset.prediction_agreement).toBe(1);

    // A second model beside it gets its own entry; the first one's stays.
    const last = path.join(path.dirname(checkpoint), 'last.safetensors');
    writeCheckpoint(trained, last);
    await exportCheckpoint({ model: createModel('reference-cnn'), checkpoint: last, validate: true });
    const both = JSON.parse(fs.readFileSync(path.join(path.dirname(checkpoint), VALIDATION_REPORT), 'utf8'));
    expect(Object.keys(both).sort()).toEqual(['best.onnx', 'last.onnx']);
    expect(both['best.onnx'].dataset.examples).toBe(64);
    expect(both['last.onnx'].random_inputs.passed).toBe(true);
  });

  it('refuses a checkpoint of another architecture and writes nothing', async () => {
    const checkpoint = path.join(dir, 'other', 'best.safetensors');
    fs.mkdirSync(path.dirname(checkpoint), { recursive: true });
    writeCheckpoint(createModel('reference-cnn', { numClasses: 7 }), checkpoint);
    await expect(exportCheckpoint({ model: createModel('reference-cnn'), checkpoint })).rejects.toThrow(
      /checkpoint .*best\.safetensors: weight 'model\/model\/6' .* has shape \[128,7\], the module's is \[128,10\]/,
    );
    expect(fs.existsSync(path.join(dir, 'other', 'best.onnx'))).toBe(false);
  });
});

describe('OnnxPredictor / inferOnnx', () => {
  it('gives model.predict outputs, for image outputs too (NHWC in and out), without leaking tensors', async () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [conv, pooled] });
    for (const layout of ['nchw', 'nhwc'] as const) {
      const file = path.join(dir, `two-outputs-${layout}.onnx`);
      fs.writeFileSync(file, exportToOnnx(model, { layout }).bytes);
      const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 4);
      const expected = model.predict(x) as tf.Tensor[];
      const got = (await inferOnnx(file, x)) as tf.Tensor[];
      expect(got.map((t) => t.shape)).toEqual([
        [2, 6, 6, 3],
        [2, 3],
      ]);
      got.forEach((t, i) => expect(maxAbsDiff(t, expected[i])).toBeLessThanOrEqual(1e-4));
      const predictor = await OnnxPredictor.load(file);
      expect(predictor.layout).toBe(layout);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.dispose(await predictor.predict(x));
      expect(tf.memory().numTensors).toBe(before);
      await predictor.release();
      tf.dispose([x, ...expected, ...got]);
    }
  });

  it('says which file is missing', async () => {
    await expect(inferOnnx(path.join(dir, 'nope.onnx'), tf.zeros([1, 2]))).rejects.toThrow(
      /ONNX model .*nope\.onnx does not exist/,
    );
  });
});
