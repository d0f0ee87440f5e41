/**
 * @jest-environment ../../packages/common/src/export/__fixtures__/ort-environment.js
 */
// Every gravity-vit model exported to ONNX and run by onnxruntime gives tfjs' outputs (logits and view attention) to
// 1e-4, at batch 1 and 3 (dynamic batch), on both GELU paths (Erf formula at 17, the Gelu op at 20).
import { exportToOnnx, maxAbsDiff, OnnxPredictor } from '@research/common';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { baselineCnn, multiviewVit, timmVit } from '.';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-onnx-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const encoder = {
  imgSize: [32, 48] as [number, number],
  patchSize: 16,
  inChans: 3,
  dim: 32,
  depth: 2,
  numHeads: 4,
  mlpDim: 64,
};

async function compare(model: tf.LayersModel, opset: number): Promise<number[]> {
  const file = path.join(dir, `${model.name}_${opset}.onnx`);
  fs.writeFileSync(file, exportToOnnx(model, { opset }).bytes);
  const predictor = await OnnxPredictor.load(file);
  const diffs: number[] = [];
  try {
    for (const batch of [1, 3]) {
      const x = tf.randomNormal([batch, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', batch);
      const want = model.predict(x);
      const wants = Array.isArray(want) ? want : [want];
      const got = await predictor.predict(x);
      expect(got.map((t) => t.shape)).toEqual(wants.map((t) => t.shape));
      wants.forEach((t, i) => diffs.push(maxAbsDiff(t, got[i])));
      tf.dispose([x, ...wants, ...got]);
    }
  } finally {
    await predictor.release();
  }
  return diffs;
}

describe('gravity-vit models to ONNX', () => {
  it.each([17, 20])('the multi-view ViT (logits and view attention) at opset %i', async (opset) => {
    const model = multiviewVit({
      views: 4,
      numClasses: 22,
      encoder,
      fusion: { layers: 2, heads: 8, mlpDim: 64, dropout: 0.1 },
      headDim: 32,
    });
    const diffs = await compare(model, opset);
    expect(diffs).toHaveLength(4);
    diffs.forEach((d) => expect(d).toBeLessThanOrEqual(1e-4));
    model.dispose();
  });

  it('the single-view ViT and the baseline CNN', async () => {
    const vit = timmVit({ ...encoder, numClasses: 22 });
    const cnn = baselineCnn({
      inputShape: [32, 48, 3],
      numClasses: 22,
      filters: [8, 16],
      denseUnits: 32,
      dropout: 0.5,
    });
    for (const model of [vit, cnn]) {
      (await compare(model, 17)).forEach((d) => expect(d).toBeLessThanOrEqual(1e-4));
      model.dispose();
    }
  });
});
