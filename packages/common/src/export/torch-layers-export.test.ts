/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// The zoo's PyTorch layers (TorchActivation, StochasticDepth, LayerScale) through onnxruntime, on channels-first
// values (after a conv) and on tfjs-layout values (after a dense layer), in both layouts and at the opsets where
// hard swish changes form.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { LayerScale, StochasticDepth, TorchActivation } from '../models';
import { roundTrip, tmpDir } from './__fixtures__/round-trip';
import { exportToOnnx } from './exporter';
import { decodeModel } from './onnx-graph';

const TOL = 1e-4;
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = tmpDir();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
  layer.apply(x) as tf.SymbolicTensor;

/**
 * conv (channels-first in ONNX) -> hardswish -> layer scale -> stochastic depth -> hardsigmoid, and the same chain
 * after a dense layer on the NHWC tensor (tfjs layout in ONNX). Kernels scaled x4 so pre-activations cover the
 * knees at -3 and 3; layer scales random (not the constant init) so a wrong axis shows.
 */
function torchLayersModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 5, 3], name: 'image' });
  const chain = (x: tf.SymbolicTensor, tag: string) => {
    let y = apply(new TorchActivation({ fn: 'hardswish', name: `${tag}_hswish` }), x);
    y = apply(new LayerScale({ initValue: 0.5, name: `${tag}_scale` }), y);
    y = apply(new StochasticDepth({ rate: 0.4, name: `${tag}_sd` }), y);
    return apply(new TorchActivation({ fn: 'hardsigmoid', name: `${tag}_hsigmoid` }), y);
  };
  const conv = apply(
    tf.layers.conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      name: 'conv',
    }),
    input,
  );
  const dense = apply(tf.layers.dense({ units: 4, name: 'dense' }), input);
  const model = tf.model({
    inputs: input,
    outputs: apply(tf.layers.concatenate({ axis: -1 }), [chain(conv, 'c'), chain(dense, 'd')]),
  });
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'Conv2D' || cls === 'Dense') layer.setWeights(layer.getWeights().map((w) => tf.mul(w, 4)));
    if (cls === 'LayerScale') layer.setWeights([tf.randomUniform([4], -2, 2, 'float32', 11)]);
  }
  return model;
}

function nodes(bytes: Uint8Array) {
  return decodeModel(bytes).graph?.node ?? [];
}

describe('zoo torch layers', () => {
  it('the test model reaches both knees of hard swish / hard sigmoid', () => {
    const model = torchLayersModel();
    const inner = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('conv').output as tf.SymbolicTensor,
    });
    const pre = (inner.predict(tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1)) as tf.Tensor).dataSync();
    expect(pre.some((v) => v < -3)).toBe(true);
    expect(pre.some((v) => v > 3)).toBe(true);
  });

  for (const opset of [13, 17]) {
    it(`opset ${opset}: onnxruntime = tfjs in both layouts (batch 1 and 3)`, async () => {
      const model = torchLayersModel();
      for (const layout of ['nchw', 'nhwc'] as const) {
        for (const batch of [1, 3]) {
          const { maxAbsDiff } = await roundTrip(model, dir, {
            layout,
            opset,
            batch,
            file: `torch-${opset}.onnx`,
          });
          expect(maxAbsDiff).toBeLessThanOrEqual(TOL);
        }
      }
    });
  }

  it('uses HardSwish from opset 14, torch HardSigmoid (1/6, 0.5), no node for stochastic depth', () => {
    const model = torchLayersModel();
    const at13 = nodes(exportToOnnx(model, { opset: 13 }).bytes);
    const at17 = nodes(exportToOnnx(model, { opset: 17 }).bytes);
    expect(at13.map((n) => n.opType)).not.toContain('HardSwish');
    expect(at17.filter((n) => n.opType === 'HardSwish')).toHaveLength(2);
    const hardSigmoids = at17.filter((n) => n.opType === 'HardSigmoid');
    expect(hardSigmoids).toHaveLength(2);
    for (const n of hardSigmoids) {
      const alpha = n.attribute?.find((a) => a.name === 'alpha')?.f;
      const beta = n.attribute?.find((a) => a.name === 'beta')?.f;
      expect(alpha).toBeCloseTo(1 / 6, 7);
      expect(beta).toBe(0.5);
    }
    expect(at17.some((n) => (n.name ?? '').includes('_sd'))).toBe(false);
    // The scale after the conv multiplies a channels-first value: its initializer is [C, 1, 1], no Transpose added.
    const scale = decodeModel(exportToOnnx(model).bytes).graph?.initializer?.find((t) => t.name === 'c_scale.scale');
    expect(scale?.dims?.map(Number)).toEqual([4, 1, 1]);
  });

  it('an unknown TorchActivation function is refused by name', () => {
    const input = tf.input({ shape: [3] });
    const layer = new TorchActivation({ fn: 'hardswish', name: 'odd' });
    const model = tf.model({ inputs: input, outputs: apply(layer, input) });
    (layer as unknown as { fn: string }).fn = 'hardtanh';
    expect(() => exportToOnnx(model)).toThrow(
      "layer 'odd' (class TorchActivation) at opset 17: unknown TorchActivation fn 'hardtanh'",
    );
  });
});
