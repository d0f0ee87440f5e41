/**
 * @jest-environment ../../packages/common/src/export/__fixtures__/ort-environment.js
 */
// HRNet through common's ONNX exporter (no custom layers: stride-2 convs pad explicitly with ZeroPadding2D, the fuse
// layers upsample with UpSampling2D -> Resize nearest): onnxruntime equals tfjs. Batch-norm folding is tested in
// common's export/converters.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkOnnxWithPython,
  exportToOnnx,
  maxAbsDiff,
  OnnxPredictor,
  pythonOnnxAvailable,
  buildHrnet,
} from '@research/common';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from './config';

let dir: string;

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-onnx-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Weights ~ U(-sqrt(3/fanIn), sqrt(3/fanIn)) from a xorshift stream, and batch-norm statistics as after training
 * (so a wrong scale, shift or epsilon shows). tfjs' seeded initialisers take ~15 s for this network under jest.
 */
function fillWeights(model: tf.LayersModel): void {
  let s = 2463534242;
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const name = w.originalName;
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
    const [lo, hi] = name.endsWith('moving_variance') ? [1, 3] : name.endsWith('gamma') ? [0.5, 1.5] : [-1, 1];
    const scale =
      shape.length > 1 ? Math.sqrt(3 / fanIn) : name.endsWith('moving_mean') || name.endsWith('beta') ? 0.1 : 1;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const u = (s >>> 0) / 4294967296;
      data[i] = (lo + (hi - lo) * u) * (hi === 1 ? scale : 1);
    }
    w.write(tf.tensor(data, shape));
  }
}

describe('HRNet W18-Small-v1 (32x32) exports to ONNX', () => {
  it('onnxruntime = tfjs within 1e-4; python3-onnx accepts the file', async () => {
    const { model } = buildHrnet(loadExperiment('w18_small_v1_32x32').MODEL, { init: 'zeros' });
    fillWeights(model);
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 7);
    const expected = model.predict(x) as tf.Tensor;
    const exported = exportToOnnx(model, { opset: 17 });
    const file = path.join(dir, 'hrnet.onnx');
    fs.writeFileSync(file, exported.bytes);
    const ops = (exported.model.graph?.node ?? []).map((n) => n.opType);
    expect(ops).toContain('Resize');
    expect(ops).toContain('Pad');
    const bnCount = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
    expect(ops.filter((op) => op === 'BatchNormalization')).toHaveLength(bnCount);
    expect(exported.inputs[0].shape).toEqual(['batch', 1, 32, 32]);
    expect(exported.outputs[0].shape).toEqual(['batch', 10]);
    const predictor = await OnnxPredictor.load(file);
    const [actual] = await predictor.predict(x);
    await predictor.release();
    expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(1e-4);
    // Not vacuous: the two examples' logits differ by far more than the tolerance.
    expect(maxAbsDiff(expected.slice(0, 1), expected.slice(1, 1))).toBeGreaterThan(1e-3);
    if (pythonOnnxAvailable()) expect(checkOnnxWithPython([file]).map((r) => r.error)).toEqual([null]);
    model.dispose();
  });
});
