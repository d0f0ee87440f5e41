/**
 * @jest-environment ./src/export/__fixtures__/ort-environment.js
 */
// Every architecture in common's registry: export -> onnxruntime -> compare with tfjs, in both layouts, with a
// dynamic batch of 1 and 5; python3-onnx's checker (full_check) accepts each opset-17 file when it is installed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { createModel, listModels, visionTransformer, type ModelOptions } from '../index';
import { tmpDir } from './__fixtures__/round-trip';
import { exportToOnnx } from './exporter';
import { OnnxPredictor } from './infer';
import { encodeModel } from './onnx-graph';
import { checkOnnxWithPython, pythonOnnxAvailable } from './python-checker';
import { maxAbsDiff } from './validate';

const TOL = 1e-4;
const withPython = pythonOnnxAvailable();
let dir: string;

// tfjs on wasm (one thread): on the cpu backend ConvNeXt's forward pass alone takes over a minute.
beforeAll(async () => {
  await initBackend('wasm', {
    log: () => undefined,
    env: { RESEARCH_WASM_THREADS: '0' },
  });
  dir = tmpDir();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * vit_b_16 (86M parameters) takes minutes to build, export and load here: its factory's code path
 * (visionTransformer, the same layer classes and block graph, patch 16, 12 heads) at depth 2 and width 48 instead.
 */
const REDUCED: Record<string, () => tf.LayersModel> = {
  vit_b_16: () =>
    visionTransformer(
      {
        inputShape: [64, 64, 3],
        numClasses: 7,
        patchSize: 16,
        numLayers: 2,
        numHeads: 12,
        hiddenDim: 48,
        mlpDim: 96,
      },
      'vit_b_16',
    ),
};

/**
 * HRNet's official init draws ~1.5 s per million normal values under jest (W64 has 128M weights): its variants build
 * zero-filled and get uniform weights of the same scale from a xorshift stream, with BN statistics as after training.
 */
function hrnetWithWeights(name: string, options: ModelOptions): tf.LayersModel {
  const model = createModel(name, { ...options, init: 'zeros' });
  let s = 2463534242;
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const kind = w.originalName.split('/').pop() as string;
    // [lo, hi): kernels by fan-in, vectors small, BN gamma < 1 so that the residual sums keep logits of order 1.
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
    const bound = shape.length > 1 ? Math.sqrt(3 / fanIn) : 0.1;
    const [lo, hi] = kind === 'moving_variance' ? [1, 2] : kind === 'gamma' ? [0.2, 0.6] : ([-bound, bound] as const);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      data[i] = lo + ((hi - lo) * (s >>> 0)) / 4294967296;
    }
    const value = tf.tensor(data, shape);
    w.write(value);
    value.dispose();
  }
  return model;
}

/** True when some layer's output has an empty axis (an input too small for the model's downsampling). */
function hasEmptyAxis(model: tf.LayersModel): boolean {
  return model.layers.some((l) => {
    const shapes = (Array.isArray(l.outputShape[0]) ? l.outputShape : [l.outputShape]) as (number | null)[][];
    return shapes.some((s) => s.some((d) => d === 0));
  });
}

/** The smallest input the factory accepts and downsamples to non-empty maps: MNIST-, CIFAR-sized, its defaults. */
function buildSmall(name: string): tf.LayersModel {
  if (REDUCED[name]) return REDUCED[name]();
  const candidates: ModelOptions[] = [
    { inputShape: [28, 28, 1], numClasses: 7 },
    { inputShape: [32, 32, 3], numClasses: 7 },
    { numClasses: 7 },
  ];
  const errors: string[] = [];
  for (const options of candidates) {
    let model: tf.LayersModel;
    try {
      model = name.startsWith('hrnet_') ? hrnetWithWeights(name, options) : createModel(name, options);
    } catch (e) {
      errors.push(`${JSON.stringify(options)}: ${(e as Error).message}`);
      continue;
    }
    if (!hasEmptyAxis(model)) return model;
    errors.push(`${JSON.stringify(options)}: a feature map is empty`);
    model.dispose();
  }
  throw new Error(`model '${name}' could not be built with small options: ${errors.join('; ')}`);
}

/**
 * Exports `model` in both layouts, checks onnxruntime against tfjs at batch 1 and 5 (one session per file) and runs
 * python3-onnx's checker on both files when it is installed. Returns the largest difference per layout and batch.
 */
async function exportAndCompare(name: string, model: tf.LayersModel): Promise<Record<string, number>> {
  const files: string[] = [];
  const diffs: Record<string, number> = {};
  for (const layout of ['nchw', 'nhwc'] as const) {
    const exported = exportToOnnx(model, { layout, opset: 17 });
    const file = path.join(dir, `${name}-${layout}.onnx`);
    fs.writeFileSync(file, exported.bytes);
    files.push(file);
    expect(exported.inputs[0].shape[0]).toBe('batch');
    const predictor = await OnnxPredictor.load(file);
    try {
      for (const batch of [1, 5]) {
        const x = tf.randomNormal([batch, ...(model.inputs[0].shape.slice(1) as number[])], 0, 1, 'float32', batch);
        const expected = model.predict(x) as tf.Tensor;
        const [actual] = await predictor.predict(x);
        const diff = maxAbsDiff(expected, actual);
        const scale = tf.tidy(() => expected.abs().max().dataSync()[0]);
        tf.dispose([x, expected, actual]);
        if (!(diff <= TOL))
          throw new Error(
            `${name} (${layout}, batch ${batch}): max |onnx - tfjs| = ${diff} > ${TOL} (max |tfjs| ${scale})`,
          );
        diffs[`${layout} batch ${batch}`] = diff;
        diffs['max |tfjs|'] = Math.max(diffs['max |tfjs|'] ?? 0, scale);
      }
    } finally {
      await predictor.release();
    }
  }
  if (withPython) expect(checkOnnxWithPython(files).filter((r) => !r.ok)).toEqual([]);
  files.forEach((f) => fs.rmSync(f));
  return diffs;
}

/**
 * Opt-in (ONNX_EXPORT_LARGE=1): the real vit_b_16 at 224x224 and the HRNet widths W30-W64 (38M-128M weights, files of
 * 150-510 MB; README.md has the measured times). HRNet-W18 runs always and has the same code path (narrower branches).
 */
const LARGE = process.env.ONNX_EXPORT_LARGE ? it : it.skip;
const HRNET_LARGE = ['hrnet_w30', 'hrnet_w32', 'hrnet_w40', 'hrnet_w44', 'hrnet_w48', 'hrnet_w64'];

/** Builds, exports and compares one registered architecture; ONNX_EXPORT_TIMES=1 prints the time and differences. */
async function exportRegistered(name: string): Promise<void> {
  const started = Date.now();
  const model = buildSmall(name);
  try {
    const diffs = await exportAndCompare(name, model);
    // Not vacuous: the filled HRNet weights give logits far above the tolerance.
    if (name.startsWith('hrnet_')) expect(diffs['max |tfjs|']).toBeGreaterThan(100 * TOL);
    if (process.env.ONNX_EXPORT_TIMES) console.log(name, `${(Date.now() - started) / 1000} s`, diffs);
  } finally {
    model.dispose();
  }
}

describe('every registered architecture exports to ONNX', () => {
  it.each(listModels().filter((name) => !HRNET_LARGE.includes(name)))(
    '%s: onnxruntime = tfjs (NCHW and NHWC, batch 1 and 5)',
    exportRegistered,
    300_000,
  );

  LARGE.each(HRNET_LARGE)('%s (opt-in): onnxruntime = tfjs (NCHW and NHWC, batch 1 and 5)', exportRegistered, 900_000);

  it('the opt-in list names registered architectures', () => {
    expect(listModels()).toEqual(expect.arrayContaining(HRNET_LARGE));
  });

  LARGE(
    'vit_b_16 at full size (224x224, 86M parameters)',
    async () => {
      const model = createModel('vit_b_16', { numClasses: 1000 });
      console.log('vit_b_16 224x224 max |onnx - tfjs|', await exportAndCompare('vit_b_16-full', model));
      model.dispose();
    },
    900_000,
  );

  (withPython ? it : it.skip)('the checker does reject a model whose declared output shape is wrong', () => {
    const exported = exportToOnnx(createModel('reference-cnn'), {
      opset: 17,
    });
    const dims = exported.model.graph?.output?.[0].type?.tensorType?.shape?.dim ?? [];
    dims[1] = { dimValue: 11 }; // the graph computes 10 logits
    const file = path.join(dir, 'wrong-shape.onnx');
    fs.writeFileSync(file, encodeModel(exported.model));
    const [verdict] = checkOnnxWithPython([file]);
    expect(verdict.ok).toBe(false);
    expect(verdict.error).toMatch(/shape|dimension|Inferred/i);
  });
});
