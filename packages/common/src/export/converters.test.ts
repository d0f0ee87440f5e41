/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// Each converter against tfjs itself: small models run through onnxruntime-node and compared on random inputs,
// in both layouts and at the opsets where a converter changes form.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { ClassTokenPosition, GroupNorm, LayerNorm, MultiHeadSelfAttention, PatchEmbedding, TakeToken } from '../models';
import { roundTrip, tmpDir } from './__fixtures__/round-trip';
import { exportToOnnx } from './exporter';
import { decodeModel } from './onnx-graph';
import { registerOnnxConverter } from './converter';

const TOL = 1e-4;
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = tmpDir();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Non-trivial batch-norm statistics, so a wrong formula shows. */
function randomizeBatchNorms(model: tf.LayersModel, seed = 1): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(
      layer
        .getWeights()
        .map((w, i) =>
          i === 3
            ? tf.randomUniform(w.shape, 0.5, 2, 'float32', seed + i)
            : tf.randomNormal(w.shape, i === 0 ? 1 : 0, 0.3, 'float32', seed + i),
        ),
    );
  }
}

function opTypes(bytes: Uint8Array): string[] {
  return (decodeModel(bytes).graph?.node ?? []).map((n) => n.opType as string);
}

function imageModel(
  build: (x: tf.SymbolicTensor) => tf.SymbolicTensor | tf.SymbolicTensor[],
  shape = [9, 10, 3],
): tf.LayersModel {
  const input = tf.input({ shape, name: 'image' });
  return tf.model({ inputs: input, outputs: build(input) });
}

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
  layer.apply(x) as tf.SymbolicTensor;

describe('image layers (NCHW and NHWC)', () => {
  const cases: [string, () => tf.LayersModel][] = [
    [
      'conv same stride 2 + relu6, conv valid dilated + selu',
      () =>
        imageModel((x) => {
          const y = apply(
            tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }),
            x,
          );
          return apply(tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], dilationRate: 2, activation: 'selu' }), y);
        }),
    ],
    [
      'conv without bias, softmax over channels, elu/softplus/softsign/tanh/sigmoid/hardSigmoid/swish/mish',
      () =>
        imageModel((x) => {
          let y = apply(
            tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, activation: 'softmax' }),
            x,
          );
          for (const activation of [
            'elu',
            'softplus',
            'softsign',
            'tanh',
            'sigmoid',
            'hardSigmoid',
            'swish',
            'mish',
          ] as const) {
            y = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, activation }), y);
          }
          return y;
        }),
    ],
    [
      'depthwise (multiplier 2), separable',
      () =>
        imageModel((x) => {
          const y = apply(
            tf.layers.depthwiseConv2d({
              kernelSize: 3,
              depthMultiplier: 2,
              padding: 'same',
              strides: 2,
              activation: 'relu',
            }),
            x,
          );
          return apply(
            tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
            y,
          );
        }),
    ],
    [
      'transposed conv same k4 s2, valid k3 s2, valid k1 s2',
      () =>
        imageModel(
          (x) => {
            const a = apply(
              tf.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
              x,
            );
            const b = apply(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid' }), x);
            const c = apply(
              tf.layers.conv2dTranspose({
                filters: 2,
                kernelSize: 1,
                strides: 2,
                padding: 'valid',
                activation: 'sigmoid',
              }),
              x,
            );
            return [a, b, c];
          },
          [4, 6, 3],
        ),
    ],
    [
      'pooling same/valid, global pools, upsampling nearest/bilinear, zero padding',
      () =>
        imageModel((x) => {
          const m = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x);
          const a = apply(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }), x);
          const v = apply(tf.layers.averagePooling2d({ poolSize: [2, 3], strides: 1, padding: 'valid' }), x);
          const up = apply(tf.layers.upSampling2d({ size: [2, 3] }), m);
          const bil = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), a);
          const pad = apply(
            tf.layers.zeroPadding2d({
              padding: [
                [1, 2],
                [0, 3],
              ],
            }),
            v,
          );
          return [
            up,
            bil,
            pad,
            apply(tf.layers.globalAveragePooling2d({}), x),
            apply(tf.layers.globalMaxPooling2d({}), m),
          ];
        }),
    ],
    [
      'concat over channels, merges, BN, ReLU(max), LeakyReLU, ELU, Softmax layer',
      () =>
        imageModel((x) => {
          const a = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1 }), x);
          const bn = apply(tf.layers.batchNormalization({ epsilon: 1e-3 }), a);
          const merged = [
            apply(tf.layers.add(), [x, bn, a]),
            apply(tf.layers.multiply(), [x, bn, a]),
            apply(tf.layers.average(), [x, bn]),
            apply(tf.layers.maximum(), [x, bn]),
            apply(tf.layers.minimum(), [x, bn]),
            apply(tf.layers.reLU({ maxValue: 0.5 }), bn),
            apply(tf.layers.leakyReLU({ alpha: 0.2 }), bn),
            apply(tf.layers.elu({}), bn),
            apply(tf.layers.softmax({ axis: -1 }), bn),
          ];
          return apply(tf.layers.concatenate({ axis: -1 }), merged);
        }),
    ],
    [
      'flatten/reshape/permute after convs, dense on rank 3, dropout, BN on features',
      () =>
        imageModel((x) => {
          const c = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), x);
          const p = apply(tf.layers.permute({ dims: [2, 1, 3] }), c);
          const r = apply(tf.layers.reshape({ targetShape: [7 * 8, 4] }), p);
          const d = apply(
            tf.layers.dense({ units: 5, activation: 'gelu' }),
            apply(tf.layers.dropout({ rate: 0.5 }), r),
          );
          const f = apply(tf.layers.flatten(), c);
          const bn = apply(tf.layers.batchNormalization({}), apply(tf.layers.dense({ units: 6 }), f));
          return [d, apply(tf.layers.dense({ units: 3, activation: 'softmax' }), bn)];
        }),
    ],
    [
      'GroupNorm (3 groups of 2 channels) after a conv, random scale and shift',
      () =>
        imageModel((x) => {
          const c = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }), x);
          const norm = new GroupNorm({ groups: 3, epsilon: 1e-5 });
          const y = apply(norm, c);
          norm.setWeights([tf.randomNormal([6], 1, 0.5, 'float32', 11), tf.randomNormal([6], 0, 0.5, 'float32', 12)]);
          return y;
        }),
    ],
  ];

  for (const [name, build] of cases) {
    it(`${name}: onnx = tfjs in both layouts`, async () => {
      const model = build();
      randomizeBatchNorms(model);
      for (const layout of ['nchw', 'nhwc'] as const) {
        const { maxAbsDiff } = await roundTrip(model, dir, { layout, batch: 3, file: `case-${layout}.onnx` });
        expect(maxAbsDiff).toBeLessThanOrEqual(TOL);
      }
    });
  }

  it('declares channels-first edges for nchw and tfjs edges for nhwc', async () => {
    const model = imageModel(
      (x) => apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), x),
      [6, 7, 2],
    );
    const nchw = exportToOnnx(model, { layout: 'nchw' });
    const nhwc = exportToOnnx(model, { layout: 'nhwc' });
    expect(nchw.inputs[0].shape).toEqual(['batch', 2, 6, 7]);
    expect(nchw.outputs[0].shape).toEqual(['batch', 4, 6, 7]);
    expect(nhwc.inputs[0].shape).toEqual(['batch', 6, 7, 2]);
    expect(nhwc.outputs[0].shape).toEqual(['batch', 6, 7, 4]);
    // NCHW: the conv reads the input directly, no Transpose anywhere.
    expect(opTypes(nchw.bytes)).not.toContain('Transpose');
    // Raw onnxruntime on an NCHW tensor gives NCHW: the transpose of tfjs' NHWC output.
    const file = `${dir}/edges.onnx`;
    fs.writeFileSync(file, nchw.bytes);
    const session = await ort.InferenceSession.create(file);
    const x = tf.randomNormal([2, 6, 7, 2], 0, 1, 'float32', 5);
    const feed = new ort.Tensor('float32', Float32Array.from(tf.transpose(x, [0, 3, 1, 2]).dataSync()), [2, 2, 6, 7]);
    const out = (await session.run({ [session.inputNames[0]]: feed }))[session.outputNames[0]];
    expect(out.dims).toEqual([2, 4, 6, 7]);
    const expected = tf.transpose(model.predict(x) as tf.Tensor, [0, 3, 1, 2]).dataSync();
    const got = out.data as Float32Array;
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])))).toBeLessThan(TOL);
    await session.release();
  });

  it('folds batch norm into the conv before it (same outputs, no BatchNormalization left)', async () => {
    const model = imageModel((x) => {
      let y = x;
      for (let i = 0; i < 2; i++) {
        y = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: i === 1 }), y);
        y = apply(tf.layers.reLU(), apply(tf.layers.batchNormalization({ epsilon: 1e-5 }), y));
      }
      // A BN whose conv output is also used elsewhere stays unfolded.
      const c = apply(tf.layers.conv2d({ filters: 4, kernelSize: 1 }), y);
      return apply(tf.layers.add(), [c, apply(tf.layers.batchNormalization({}), c)]);
    });
    randomizeBatchNorms(model, 7);
    const plain = await roundTrip(model, dir, { file: 'bn.onnx' });
    const folded = await roundTrip(model, dir, { foldBatchNorm: true, file: 'bn-folded.onnx' });
    expect(plain.maxAbsDiff).toBeLessThanOrEqual(TOL);
    expect(folded.maxAbsDiff).toBeLessThanOrEqual(TOL);
    expect(folded.exported.foldedBatchNorms).toBe(2);
    expect(opTypes(folded.exported.bytes).filter((op) => op === 'BatchNormalization')).toHaveLength(1);
    expect(opTypes(plain.exported.bytes).filter((op) => op === 'BatchNormalization')).toHaveLength(3);
  });
});

describe('opset-dependent forms', () => {
  const sequenceModel = (activation: 'gelu' | 'gelu_new') => {
    const input = tf.input({ shape: [5, 8], name: 'tokens' });
    const ln = apply(new LayerNorm({ epsilon: 1e-5 }), input);
    const tfjsLn = apply(tf.layers.layerNormalization({ epsilon: 1e-3 }), ln);
    const hidden = apply(tf.layers.dense({ units: 6, activation }), tfjsLn);
    const pooled = apply(tf.layers.globalAveragePooling1d({}), hidden);
    const maxed = apply(tf.layers.globalMaxPooling1d({}), hidden);
    return tf.model({ inputs: input, outputs: [pooled, maxed, hidden] });
  };

  const expectedOps: Record<number, { present: string[]; absent: string[] }> = {
    13: { present: ['Erf', 'ReduceMean', 'Sqrt'], absent: ['LayerNormalization', 'Gelu'] },
    16: { present: ['Erf', 'ReduceMean', 'Sqrt'], absent: ['LayerNormalization', 'Gelu'] },
    17: { present: ['Erf', 'LayerNormalization'], absent: ['Gelu', 'Sqrt'] },
    18: { present: ['Erf', 'LayerNormalization', 'ReduceMean'], absent: ['Gelu'] },
    20: { present: ['Gelu', 'LayerNormalization'], absent: ['Erf', 'Sqrt'] },
  };

  for (const opset of [13, 16, 17, 18, 20]) {
    it(`opset ${opset}: GELU (erf) and layer norms in the opset's form, equal to tfjs`, async () => {
      const model = sequenceModel('gelu');
      model.layers.forEach((l) => {
        if (l.getClassName().startsWith('Layer'))
          l.setWeights(l.getWeights().map((w, i) => tf.randomNormal(w.shape, i === 0 ? 1 : 0, 0.5, 'float32', 3 + i)));
      });
      const { maxAbsDiff, exported } = await roundTrip(model, dir, { opset, batch: 3, file: `seq-${opset}.onnx` });
      expect(maxAbsDiff).toBeLessThanOrEqual(TOL);
      const ops = opTypes(exported.bytes);
      expectedOps[opset].present.forEach((op) => expect(ops).toContain(op));
      expectedOps[opset].absent.forEach((op) => expect(ops).not.toContain(op));
      // ReduceMean's axes: an attribute before 18, an input from 18.
      const reduceMeans = (decodeModel(exported.bytes).graph?.node ?? []).filter((n) => n.opType === 'ReduceMean');
      for (const n of reduceMeans) {
        expect(n.input).toHaveLength(opset >= 18 ? 2 : 1);
        expect(n.attribute?.some((a) => a.name === 'axes')).toBe(opset < 18);
      }
    });
  }

  for (const opset of [17, 20]) {
    it(`opset ${opset}: tanh-approximated GELU (gelu_new)`, async () => {
      const { maxAbsDiff, exported } = await roundTrip(sequenceModel('gelu_new'), dir, {
        opset,
        file: `gelu-new-${opset}.onnx`,
      });
      expect(maxAbsDiff).toBeLessThanOrEqual(TOL);
      const gelu = (decodeModel(exported.bytes).graph?.node ?? []).find((n) => n.opType === 'Gelu');
      if (opset >= 20)
        expect(new TextDecoder().decode(gelu?.attribute?.find((a) => a.name === 'approximate')?.s ?? undefined)).toBe(
          'tanh',
        );
      else expect(gelu).toBeUndefined();
    });
  }
});

describe('graph structure', () => {
  it('walks shared layers, nested models used twice, several inputs and outputs, sequential models', async () => {
    const shared = tf.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
    const innerIn = tf.input({ shape: [4] });
    const inner = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), tf.layers.dense({ units: 2 })],
    });
    const sub = tf.model({
      inputs: innerIn,
      outputs: apply(inner, apply(tf.layers.dense({ units: 4 }), innerIn)),
      name: 'sub',
    });
    const a = tf.input({ shape: [6], name: 'a' });
    const b = tf.input({ shape: [6], name: 'b' });
    const ha = apply(shared, a);
    const hb = apply(shared, b);
    const model = tf.model({
      inputs: [a, b],
      outputs: [apply(sub, ha), apply(sub, hb), apply(tf.layers.concatenate(), [ha, hb])],
      name: 'multi',
    });
    const { maxAbsDiff, exported } = await roundTrip(model, dir, { batch: 5 });
    expect(maxAbsDiff).toBeLessThanOrEqual(TOL);
    expect(exported.inputs.map((i) => i.name)).toEqual(['a', 'b']);
    expect(exported.outputs.map((o) => o.shape)).toEqual([
      ['batch', 2],
      ['batch', 2],
      ['batch', 8],
    ]);
  });

  it('exports a top-level sequential model before anything built it, and an input that is also an output', async () => {
    const sequential = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ],
    });
    expect((await roundTrip(sequential, dir, { file: 'sequential.onnx' })).maxAbsDiff).toBeLessThanOrEqual(TOL);
    const input = tf.input({ shape: [3], name: 'x' });
    const passThrough = tf.model({ inputs: input, outputs: [input, apply(tf.layers.dense({ units: 2 }), input)] });
    const { maxAbsDiff, exported } = await roundTrip(passThrough, dir, { file: 'pass-through.onnx' });
    expect(maxAbsDiff).toBeLessThanOrEqual(TOL);
    expect(exported.outputs.map((o) => o.shape)).toEqual([
      ['batch', 3],
      ['batch', 2],
    ]);
  });

  it('converts common ViT layers with a dynamic batch of 1 and 5', async () => {
    const input = tf.input({ shape: [8, 12, 2], name: 'image' });
    let x = apply(new PatchEmbedding({ patchSize: 4, dim: 8 }), input);
    x = apply(new ClassTokenPosition({ initStddev: 0.5 }), x);
    x = apply(new MultiHeadSelfAttention({ numHeads: 2 }), apply(new LayerNorm({}), x));
    const model = tf.model({ inputs: input, outputs: apply(new TakeToken({ index: 2 }), x) });
    const exported = exportToOnnx(model);
    const file = `${dir}/vit-layers.onnx`;
    fs.writeFileSync(file, exported.bytes);
    const session = await ort.InferenceSession.create(file);
    for (const batch of [1, 5]) {
      const xs = tf.randomNormal([batch, 8, 12, 2], 0, 1, 'float32', batch);
      const feed = new ort.Tensor('float32', Float32Array.from(tf.transpose(xs, [0, 3, 1, 2]).dataSync()), [
        batch,
        2,
        8,
        12,
      ]);
      const out = (await session.run({ image: feed }))[session.outputNames[0]];
      expect(out.dims).toEqual([batch, 8]);
      const expected = (model.predict(xs) as tf.Tensor).dataSync();
      expect(
        Math.max(...Array.from(out.data as Float32Array, (v, i) => Math.abs(v - expected[i]))),
      ).toBeLessThanOrEqual(TOL);
    }
    await session.release();
  });
});

describe('errors', () => {
  class Unknown extends tf.layers.Layer {
    static className = 'UnknownForExport';
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return Array.isArray(inputs) ? inputs[0] : inputs;
    }
  }

  it('names the layer, its class and the opset when no converter exists; a registered one then works', async () => {
    const input = tf.input({ shape: [3] });
    const model = tf.model({
      inputs: input,
      outputs: apply(new Unknown({ name: 'mystery' }), apply(tf.layers.dense({ units: 2 }), input)),
    });
    expect(() => exportToOnnx(model, { opset: 17 })).toThrow(
      "ONNX export: no converter for layer 'mystery' (class UnknownForExport) at opset 17; " +
        "register one with registerOnnxConverter('UnknownForExport', ...)",
    );
    registerOnnxConverter('UnknownForExport', (ctx) => ctx.inputs[0]);
    expect((await roundTrip(model, dir, { file: 'unknown.onnx' })).maxAbsDiff).toBeLessThanOrEqual(TOL);
  });

  it('names the layer whose converter asks for an impossible layout', () => {
    class AsksChannelsFirst extends Unknown {
      static override className = 'AsksChannelsFirstForExport';
    }
    registerOnnxConverter('AsksChannelsFirstForExport', (ctx) => ctx.output(ctx.input(0, 'nchw'), 'nchw'));
    const input = tf.input({ shape: [3] });
    const model = tf.model({ inputs: input, outputs: apply(new AsksChannelsFirst({ name: 'wants_nchw' }), input) });
    expect(() => exportToOnnx(model, { opset: 18 })).toThrow(
      "ONNX export: layer 'wants_nchw' (class AsksChannelsFirstForExport) at opset 18: " +
        'a rank-2 value cannot be put in layout nchw',
    );
  });

  it('refuses opsets and layouts it does not know, and unsupported layer options', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const model = tf.model({ inputs: input, outputs: apply(tf.layers.batchNormalization({ axis: 1 }), input) });
    expect(() => exportToOnnx(model, { opset: 12 })).toThrow(
      'opset 12 is not supported (expected an integer in 13..21)',
    );
    expect(() => exportToOnnx(model, { layout: 'nwhc' as 'nchw' })).toThrow("layout 'nwhc' is not 'nchw' or 'nhwc'");
    expect(() => exportToOnnx(model)).toThrow(
      /layer 'batch_normalization\w*' \(class BatchNormalization\) at opset 17: batch normalisation over axis 1/,
    );
  });
});
